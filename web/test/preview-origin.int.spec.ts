import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/plugins/external/session';
import {
  createTestApp,
  csrfFor,
  type Stack,
  sessionCookieHeader,
  setCookieLines,
  signInThroughApp,
  startStack,
  TEST_BASE_URL,
  TEST_PREVIEW_URL,
  type TestApp,
} from './helper';

/**
 * During a blue-green release the new colour answers on the preview host first, then on the shop
 * host, without a restart (WEB_PREVIEW_BASE_URL). Sign-in and sign-out come back to the host they
 * started on, and only to a configured one: any other Host header gets the shop's URLs.
 */
let stack: Stack;
/** Served directly (TRUST_PROXY=false): the Host header picks among the configured origins. */
let direct: TestApp;
/** Behind a trusted proxy: X-Forwarded-Proto/-Host say where the browser went. */
let proxied: TestApp;

beforeAll(async () => {
  stack = await startStack();
  direct = await createTestApp(stack, { WEB_PREVIEW_BASE_URL: TEST_PREVIEW_URL });
  proxied = await createTestApp(stack, { WEB_PREVIEW_BASE_URL: TEST_PREVIEW_URL, TRUST_PROXY: 'true' });
});

afterAll(async () => {
  await Promise.allSettled([direct?.close(), proxied?.close()]);
  await stack?.stop();
});

const PREVIEW_HOST = new URL(TEST_PREVIEW_URL).host;
const SHOP_HOST = new URL(TEST_BASE_URL).host;

/** A browser on one host: every request carries these headers and the session cookie it was given. */
function browser(app: FastifyInstance, headers: Record<string, string>) {
  let cookie = '';
  const send = async (
    method: 'GET' | 'POST',
    url: string,
    extra: Record<string, string> = {},
    payload?: string,
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: { ...headers, ...(cookie && { cookie }), ...extra },
      ...(payload !== undefined && { payload }),
    });
    if (setCookieLines(response).some((line) => line.startsWith(`${SESSION_COOKIE}=`)))
      cookie = sessionCookieHeader(response);
    return response;
  };
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, fields: Record<string, string>, extra: Record<string, string> = {}) =>
      send(
        'POST',
        url,
        { 'content-type': 'application/x-www-form-urlencoded', ...extra },
        new URLSearchParams(fields).toString(),
      ),
    /** The session's CSRF token, as a page embeds it (the first one updates the cookie). */
    csrf: async () => ((await send('GET', '/api/session')).json() as { csrfToken: string }).csrfToken,
    cookie: () => cookie,
  };
}

/** The redirect_uri of the authorization request /auth/login sends the browser to. */
function redirectUriOf(login: LightMyRequestResponse): string | null {
  expect(login.statusCode).toBe(302);
  return new URL(String(login.headers.location)).searchParams.get('redirect_uri');
}

async function signedInUser(app: FastifyInstance, headers: Record<string, string>, cookie: string) {
  const session = await app.inject({ method: 'GET', url: '/api/session', headers: { ...headers, cookie } });
  return (session.json() as { user: { email: string } | null }).user;
}

describe('sign-in through the preview origin', () => {
  it('comes back to the preview callback, redeems the code there and signs in', async () => {
    const onPreview = { host: PREVIEW_HOST };
    const visitor = browser(direct.app, onPreview);
    const callback = await signInThroughApp(
      visitor.get,
      'shopper@example.com',
      '/products',
      TEST_PREVIEW_URL,
    );
    // A path, so the browser stays on the preview host (the provider already returned it there).
    expect(callback.headers.location).toBe('/products');
    expect(await signedInUser(direct.app, onPreview, visitor.cookie())).toMatchObject({
      email: 'shopper@example.com',
    });
  });

  it('asks for the preview callback behind a trusted proxy that says the browser went there', async () => {
    const login = await proxied.app.inject({
      method: 'GET',
      url: '/auth/login',
      headers: {
        host: 'web-preview.az-shop.svc',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': PREVIEW_HOST,
      },
    });
    expect(redirectUriOf(login)).toBe(`${TEST_PREVIEW_URL}/auth/callback`);
  });

  it('signs out back to the preview origin', async () => {
    const onPreview = { host: PREVIEW_HOST };
    const visitor = browser(direct.app, onPreview);
    await signInThroughApp(visitor.get, 'shopper@example.com', '/', TEST_PREVIEW_URL);
    const token = await visitor.csrf();
    const signOut = await visitor.post('/auth/logout', { _csrf: token });
    expect(signOut.statusCode).toBe(303);
    const location = new URL(String(signOut.headers.location));
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${TEST_PREVIEW_URL}/`);
  });

  it('still signs in on the shop origin with the preview origin configured', async () => {
    const onShop = { host: SHOP_HOST };
    const visitor = browser(direct.app, onShop);
    expect(redirectUriOf(await visitor.get('/auth/login'))).toBe(`${TEST_BASE_URL}/auth/callback`);
    await signInThroughApp(visitor.get, 'admin@example.com', '/', TEST_BASE_URL);
    expect(await signedInUser(direct.app, onShop, visitor.cookie())).toMatchObject({
      email: 'admin@example.com',
    });
  });
});

describe('a host that is not configured', () => {
  it('gets the shop callback, never its own (no host-header injection)', async () => {
    for (const host of [
      'evil.example',
      `${PREVIEW_HOST}.evil.example`,
      `evil@${PREVIEW_HOST}`,
      'preview.localhost:4000',
    ]) {
      const login = await direct.app.inject({ method: 'GET', url: '/auth/login', headers: { host } });
      expect(redirectUriOf(login), host).toBe(`${TEST_BASE_URL}/auth/callback`);
    }
  });

  it('behind a trusted proxy: a forwarded host or scheme that is not configured gets the shop callback', async () => {
    for (const forwarded of [
      { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example' },
      // The proxy's word wins over the Host header, and https://preview.localhost:3999 is not configured.
      { 'x-forwarded-proto': 'https', 'x-forwarded-host': PREVIEW_HOST },
    ]) {
      const login = await proxied.app.inject({
        method: 'GET',
        url: '/auth/login',
        headers: { host: PREVIEW_HOST, ...forwarded },
      });
      expect(redirectUriOf(login), JSON.stringify(forwarded)).toBe(`${TEST_BASE_URL}/auth/callback`);
    }
  });

  it('signs out to the shop origin', async () => {
    const { cookie, token } = await csrfFor(direct.app);
    const signOut = await direct.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { host: 'evil.example', cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(token)}`,
    });
    expect(signOut.statusCode).toBe(303);
    const location = new URL(String(signOut.headers.location));
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${TEST_BASE_URL}/`);
  });
});

describe('state-changing requests and their Origin', () => {
  /** A signed-in shopper's form post to sign out, with a valid token and this Origin header. */
  async function signOutFrom(origin: string | undefined) {
    const visitor = browser(direct.app, { host: PREVIEW_HOST });
    await signInThroughApp(visitor.get, 'shopper@example.com', '/', TEST_PREVIEW_URL);
    const token = await visitor.csrf();
    const signedIn = visitor.cookie();
    const response = await visitor.post('/auth/logout', { _csrf: token }, origin ? { origin } : {});
    return { response, stillSignedIn: await signedInUser(direct.app, { host: PREVIEW_HOST }, signedIn) };
  }

  it('are accepted from the preview origin, the shop origin, or without a named one', async () => {
    // `null`: what browsers send on a form post under Referrer-Policy: no-referrer; the token decides.
    for (const origin of [TEST_PREVIEW_URL, TEST_BASE_URL, 'null', undefined]) {
      const { response, stillSignedIn } = await signOutFrom(origin);
      expect(response.statusCode, String(origin)).toBe(303);
      expect(stillSignedIn, String(origin)).toBeNull();
    }
  });

  it('are refused from any other origin, even with a valid token, and the user stays signed in', async () => {
    for (const origin of [
      'https://evil.example',
      'http://preview.localhost:4000',
      'https://preview.localhost:3999',
    ]) {
      const { response, stillSignedIn } = await signOutFrom(origin);
      expect(response.statusCode, origin).toBe(403);
      expect(response.json(), origin).toMatchObject({ error: 'FORBIDDEN' });
      expect(stillSignedIn, origin).toMatchObject({ email: 'shopper@example.com' });
    }
  });

  it('are refused from another origin on the JSON API too', async () => {
    const { cookie, token } = await csrfFor(direct.app);
    const add = (origin: string) =>
      direct.app.inject({
        method: 'POST',
        url: '/api/cart/lines',
        headers: { cookie, origin, 'x-csrf-token': token },
        payload: { productId: 'no-such-product', qty: 1 },
      });
    expect((await add('https://evil.example')).statusCode).toBe(403);
    // Past the origin check, the cart itself answers (the product does not exist).
    expect((await add(TEST_PREVIEW_URL)).statusCode).not.toBe(403);
  });
});
