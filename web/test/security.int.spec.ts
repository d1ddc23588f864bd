import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, sessionCookieName } from '../src/plugins/external/session';
import { closeTestApp, createTestApp, csrfFor, getTestApp, setCookieLines, type TestApp } from './helper';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await getTestApp();
});

afterAll(closeTestApp);

describe('security headers', () => {
  it('sends helmet headers and a CSP that allows only our scripts and the per-request nonce', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    });
    const csp = String(response.headers['content-security-policy']);
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`form-action 'self' ${new URL(testApp.config.OIDC_ISSUER).origin}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests'); // plain http in this setup
    const { script } = testApp.app.assets;
    expect(response.body).toContain(`<script type="module" src="${script}" nonce="${nonce}">`);
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('serves the content-hashed bundle for a year and never caches the page itself', async () => {
    const page = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(page.headers['cache-control']).toBe('no-store');
    const { script, styles } = testApp.app.assets;
    expect(script).toMatch(/^\/assets\/client-[A-Z0-9]{8}\.js$/);
    for (const url of [script, ...styles]) {
      const asset = await testApp.app.inject({ method: 'GET', url });
      expect(asset.statusCode, url).toBe(200);
      expect(asset.headers['content-type']).toMatch(url.endsWith('.css') ? /text\/css/ : /javascript/);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    const map = await testApp.app.inject({ method: 'GET', url: `${script}.map` });
    expect(map.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
  });

  it('sends the same headers on JSON answers', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/products' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBeDefined();
  });
});

describe('session cookie', () => {
  it('is sealed, HttpOnly and SameSite=Lax, without Secure on plain http', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/' });
    const line =
      setCookieLines(response).find((candidate) => candidate.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/; Secure/);
    expect(line).not.toContain('_csrf'); // sealed: nothing readable inside
  });

  it('is Secure in production even behind a plain-http base URL (TLS ending at the ingress)', async () => {
    const production = await createTestApp(testApp.stack, { NODE_ENV: 'production' });
    try {
      const response = await production.app.inject({ method: 'GET', url: '/' });
      const line =
        setCookieLines(response).find((candidate) => candidate.startsWith(`${SESSION_COOKIE}=`)) ?? '';
      expect(line).toMatch(/; Secure/);
      expect(line).toMatch(/; HttpOnly/);
    } finally {
      await production.close();
    }
  });

  it('is Secure and HSTS is on when the site is served over https', async () => {
    const https = await createTestApp(testApp.stack, { WEB_BASE_URL: 'https://shop.example.com' });
    try {
      const response = await https.app.inject({ method: 'GET', url: '/' });
      const line =
        setCookieLines(response).find((candidate) =>
          candidate.startsWith(`${sessionCookieName(https.config)}=`),
        ) ?? '';
      expect(line).toMatch(/^__Host-/);
      expect(line).toMatch(/; Secure/);
      expect(response.headers['strict-transport-security']).toBeDefined();
      expect(String(response.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    } finally {
      await https.close();
    }
  });
});

describe('CSRF protection', () => {
  function logout(cookie: string, token?: string) {
    return testApp.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: token === undefined ? '' : `_csrf=${encodeURIComponent(token)}`,
    });
  }

  it('refuses sign-out without a CSRF token (403)', async () => {
    const { cookie } = await csrfFor(testApp.app);
    const response = await logout(cookie);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: expect.stringMatching(/CSRF/) });
  });

  it("refuses a token from another visitor's session (403)", async () => {
    const mine = await csrfFor(testApp.app);
    const theirs = await csrfFor(testApp.app);
    expect((await logout(mine.cookie, theirs.token)).statusCode).toBe(403);
  });

  it('accepts sign-out with the token of its own session', async () => {
    const { cookie, token } = await csrfFor(testApp.app);
    expect((await logout(cookie, token)).statusCode).toBe(303);
  });
});
