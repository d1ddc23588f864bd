import { checkConfig } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { trustProxyOption, webConfigSchema, webProductionRules } from './config';

describe('trustProxyOption', () => {
  it('trusts no proxy by default and every peer only when told', () => {
    expect(trustProxyOption('false')).toBe(false);
    expect(trustProxyOption('true')).toBe(true);
  });

  it('reads a hop count as the nearest N hops', () => {
    const trust = trustProxyOption('1') as (address: string, hop: number) => boolean;
    expect([trust('10.0.0.1', 0), trust('10.0.0.2', 1)]).toEqual([true, false]);
  });

  it('reads a list of addresses and CIDRs', () => {
    expect(trustProxyOption('10.0.0.0/8, 192.168.1.1')).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });
});

describe('WEB_PREVIEW_BASE_URL', () => {
  /** The problems production finds with these settings, about the preview origin only. */
  function previewProblems(env: Record<string, string>): string[] {
    const { problems } = checkConfig(webConfigSchema, {
      env: {
        NODE_ENV: 'production',
        WEB_BASE_URL: 'https://shop.example.com',
        OIDC_ISSUER: 'https://login.example.com/tenant/v2.0',
        ...env,
      },
      productionRules: webProductionRules,
    });
    return problems.filter((problem) => problem.includes('WEB_PREVIEW_BASE_URL'));
  }

  it('is optional, and production takes an https one', () => {
    expect(previewProblems({})).toEqual([]);
    expect(previewProblems({ WEB_PREVIEW_BASE_URL: 'https://preview.shop.example.com' })).toEqual([]);
  });

  it('is refused in production over plain http or on a loopback host', () => {
    expect(previewProblems({ WEB_PREVIEW_BASE_URL: 'http://preview.shop.example.com' })).toEqual([
      'Refused in production: WEB_PREVIEW_BASE_URL must be an https URL on a public host (got "http://preview.shop.example.com")',
    ]);
    expect(previewProblems({ WEB_PREVIEW_BASE_URL: 'https://127.0.0.1:3001' })).toHaveLength(1);
  });

  it('is an origin, like WEB_BASE_URL: no path', () => {
    expect(previewProblems({ WEB_PREVIEW_BASE_URL: 'https://preview.shop.example.com/shop' })).toEqual([
      expect.stringMatching(/^Invalid configuration: WEB_PREVIEW_BASE_URL /),
    ]);
  });
});
