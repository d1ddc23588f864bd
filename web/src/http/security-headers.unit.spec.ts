import { parseConfig } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { webConfigSchema } from '../config';
import { securityHeaders } from './security-headers';

function configFor(baseUrl: string) {
  return parseConfig(webConfigSchema, {
    NODE_ENV: 'test',
    MONGO_DB: 'mongodb://127.0.0.1:27017/shop',
    WEB_BASE_URL: baseUrl,
    SESSION_SECRET: 'a'.repeat(64),
    OIDC_ISSUER: 'https://login.example.com/tenant/v2.0',
    OIDC_CLIENT_ID: 'web',
    OIDC_CLIENT_SECRET: 'secret-secret-secret',
    AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    BLOB_CONTAINER: 'images',
  });
}

const asObject = (headers: readonly (readonly [string, string])[]) => Object.fromEntries(headers);

describe('securityHeaders', () => {
  it('given a page, when its headers are made, then they are helmet’s full set with its nonces in the CSP', () => {
    const page = asObject(
      securityHeaders(configFor('http://127.0.0.1:3000')).page({ script: 'S1', style: 'T1' }),
    );
    expect(page).toMatchObject({
      'x-frame-options': 'SAMEORIGIN',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
    });
    const csp = page['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self' 'nonce-S1'");
    expect(csp).toContain("style-src 'self' 'nonce-T1'");
    expect(csp).toContain("form-action 'self' https://login.example.com");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('NONCE-SLOT');
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('given two pages, when their headers are made, then each CSP carries only its own nonces', () => {
    const { page } = securityHeaders(configFor('http://127.0.0.1:3000'));
    const first = asObject(page({ script: 'A', style: 'B' }))['content-security-policy'];
    const second = asObject(page({ script: 'C', style: 'D' }))['content-security-policy'];
    expect(first).toContain("'nonce-A'");
    expect(second).toContain("'nonce-C'");
    expect(second).not.toContain("'nonce-A'");
  });

  it('given any other answer, when its headers are made, then it gets the few that matter and a CSP allowing nothing', () => {
    const every = asObject(securityHeaders(configFor('http://127.0.0.1:3000')).every);
    expect(every).toEqual({
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
  });

  it('given an https site, when headers are made, then every answer has HSTS and pages upgrade requests', () => {
    const headers = securityHeaders(configFor('https://shop.example.com'));
    expect(asObject(headers.every)['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(asObject(headers.page({ script: 'S', style: 'T' }))['content-security-policy']).toContain(
      'upgrade-insecure-requests',
    );
  });
});
