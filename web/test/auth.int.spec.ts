import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/plugins/external/session';
import {
  closeTestApp,
  createTestApp,
  csrfFor,
  getTestApp,
  loginAs,
  sessionCookieHeader,
  setCookieLines,
  TEST_BASE_URL,
  TEST_CLIENT,
  type TestApp,
} from './helper';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await getTestApp();
});

afterAll(closeTestApp);

async function homePage(cookie: string): Promise<string> {
  const response = await testApp.app.inject({ method: 'GET', url: '/', headers: { cookie } });
  expect(response.statusCode).toBe(200);
  return response.body;
}

describe('GET /auth/login', () => {
  it('redirects to the identity provider with authorization code + PKCE (S256)', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/auth/login' });
    expect(response.statusCode).toBe(302);
    const location = new URL(String(response.headers.location));
    expect(location.origin).toBe(testApp.stack.idp.issuer);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: TEST_CLIENT.id,
      response_type: 'code',
      redirect_uri: `${TEST_BASE_URL}/auth/callback`,
      scope: 'openid profile email offline_access',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      state: expect.any(String),
      nonce: expect.any(String),
    });
    expect(setCookieLines(response).some((line) => line.startsWith(`${SESSION_COOKIE}=`))).toBe(true);
  });
});

describe('an unreachable identity provider', () => {
  it('makes sign-in answer 503 NOT_READY, and the shop keeps working', async () => {
    const offline = await createTestApp(testApp.stack, { OIDC_ISSUER: 'http://127.0.0.1:9' });
    try {
      const login = await offline.app.inject({ method: 'GET', url: '/auth/login' });
      expect(login.statusCode).toBe(503);
      expect(login.json()).toMatchObject({ error: 'NOT_READY' });
      expect((await offline.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
    } finally {
      await offline.close();
    }
  });
});

describe('sign-in through the dev identity provider', () => {
  it('ends with the shopper signed in: name in the header, no admin badge', async () => {
    const cookie = await loginAs(testApp.app, 'shopper@example.com');
    const html = await homePage(cookie);
    expect(html).toContain('<span class="user-name" data-testid="user-name">Sam Shopper</span>');
    expect(html).toContain('>Sign out</button>');
    expect(html).not.toContain('>Sign in</a>');
    expect(html).not.toContain('class="badge">admin<');
  });

  it('gives the admin the admin role from the roles claim', async () => {
    const cookie = await loginAs(testApp.app, 'admin@example.com');
    const html = await homePage(cookie);
    expect(html).toContain('Ada Admin');
    expect(html).toContain('<span class="badge">admin</span>');
    const session = await testApp.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
    expect(session.json()).toMatchObject({
      user: { sub: 'admin-0001', name: 'Ada Admin', email: 'admin@example.com', roles: ['admin'] },
    });
  });

  it('returns to the page the sign-in started from, but never to another site', async () => {
    const back = await testApp.app.inject({ method: 'GET', url: '/auth/login?returnTo=%2F%2Fevil.example' });
    expect(back.statusCode).toBe(302);
    const cookie = await loginAs(testApp.app, 'shopper@example.com', '/products/x?y=1');
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
  });

  it('refuses a callback without a sign-in in progress', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/auth/callback?code=abc&state=def' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
  });

  it('refuses a callback whose state does not match the session', async () => {
    const login = await testApp.app.inject({ method: 'GET', url: '/auth/login' });
    const response = await testApp.app.inject({
      method: 'GET',
      url: `/auth/callback?code=abc&state=forged&iss=${encodeURIComponent(testApp.stack.idp.issuer)}`,
      headers: { cookie: sessionCookieHeader(login) },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'VALIDATION_FAILED',
      message: expect.stringMatching(/Sign-in failed/),
    });
  });
});

describe('POST /auth/logout', () => {
  it('clears the session and ends the provider session too', async () => {
    const signedIn = await loginAs(testApp.app, 'shopper@example.com');
    // The page's sign-out form carries this token (and the first token updates the cookie).
    const { cookie, token } = await csrfFor(testApp.app, signedIn);
    const html = await homePage(cookie);
    expect(html).toContain(`name="_csrf" value="`);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(token)}`,
    });
    expect(response.statusCode).toBe(303);
    const location = new URL(String(response.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(`${testApp.stack.idp.issuer}/session/end`);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${TEST_BASE_URL}/`);
    expect(location.searchParams.get('id_token_hint')).toBeTruthy();
    const cleared = setCookieLines(response).find((line) => line.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
  });

  it('is refused without a CSRF token, and the user stays signed in', async () => {
    const cookie = await loginAs(testApp.app, 'shopper@example.com');
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(response.statusCode).toBe(403);
    expect(await homePage(cookie)).toContain('Sam Shopper');
  });
});
