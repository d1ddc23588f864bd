import { CookieJar, signInThroughForms } from '@az-shop/identity-emulator/testing';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/plugins/external/session';
import {
  createTestApp,
  type Stack,
  sessionCookieHeader,
  setCookieLines,
  startStack,
  TEST_BASE_URL,
  TEST_CLIENT,
  type TestApp,
} from './helper';
import { type OidcStandIn, startOidcStandIn } from './oidc-stand-in';

/**
 * The callback refuses every ID token a real provider would never send for this sign-in: a wrong
 * nonce (a token meant for another sign-in), a wrong issuer, an expired token, one signed by another
 * key, for another audience; and a code used twice. Each refusal is a 400 and nobody is signed in.
 */
let stack: Stack;
let standIn: OidcStandIn;
let hostile: TestApp;
let real: TestApp;

beforeAll(async () => {
  stack = await startStack();
  standIn = await startOidcStandIn(TEST_CLIENT.id);
  hostile = await createTestApp(stack, { OIDC_ISSUER: standIn.issuer });
  real = await createTestApp(stack);
});

afterAll(async () => {
  await Promise.allSettled([hostile?.close(), real?.close()]);
  await Promise.allSettled([standIn?.stop(), stack?.stop()]);
});

/** Starts a sign-in at the stand-in: the session cookie and what the authorization request carried. */
async function startSignIn() {
  const login = await hostile.app.inject({ method: 'GET', url: '/auth/login?returnTo=/orders' });
  expect(login.statusCode).toBe(302);
  const params = new URL(String(login.headers.location)).searchParams;
  return {
    cookie: sessionCookieHeader(login),
    state: params.get('state') ?? '',
    nonce: params.get('nonce') ?? '',
  };
}

async function callbackWith(
  claims: (nonce: string) => JWTPayload,
  options?: { signWithForeignKey?: boolean },
) {
  const { cookie, state, nonce } = await startSignIn();
  standIn.nextIdToken(claims(nonce), options);
  const response = await hostile.app.inject({
    method: 'GET',
    url: `/auth/callback?code=c1&state=${state}`,
    headers: { cookie },
  });
  return { response, cookie };
}

async function signedInUser(app: TestApp, cookie: string): Promise<unknown> {
  const session = await app.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
  return (session.json() as { user: unknown }).user;
}

describe('the sign-in callback', () => {
  it('accepts a well-formed ID token from the stand-in (so the refusals below are about the token)', async () => {
    const { response } = await callbackWith((nonce) => ({ nonce, name: 'Stand In' }));
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/orders');
    expect(await signedInUser(hostile, sessionCookieHeader(response))).toMatchObject({
      sub: 'stand-in-user',
    });
  });

  it.each([
    ['a wrong nonce', (_nonce: string) => ({ nonce: 'a-nonce-of-another-sign-in' })],
    ['no nonce', (_nonce: string) => ({})],
    ['a wrong issuer', (nonce: string) => ({ nonce, iss: 'https://evil.example' })],
    ['an expired ID token', (nonce: string) => ({ nonce, iat: 1_700_000_000, exp: 1_700_000_300 })],
    ['another audience', (nonce: string) => ({ nonce, aud: 'another-client' })],
  ])('refuses %s', async (_case, claims) => {
    const { response, cookie } = await callbackWith(claims);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'VALIDATION_FAILED',
      message: expect.stringMatching(/Sign-in failed/),
    });
    const after = setCookieLines(response).some((line) => line.startsWith(`${SESSION_COOKIE}=`))
      ? sessionCookieHeader(response)
      : cookie;
    expect(await signedInUser(hostile, after)).toBeNull();
  });

  it('refuses an ID token signed by a key the provider does not publish', async () => {
    const { response } = await callbackWith((nonce) => ({ nonce }), { signWithForeignKey: true });
    expect(response.statusCode).toBe(400);
  });

  it('refuses a code used twice (the real dev provider), and the first sign-in still stands', async () => {
    const login = await real.app.inject({ method: 'GET', url: '/auth/login' });
    const pendingCookie = sessionCookieHeader(login);
    const callbackUrl = await signInThroughForms({
      jar: new CookieJar(),
      startUrl: String(login.headers.location),
      email: 'shopper@example.com',
      stopAt: `${TEST_BASE_URL}/auth/callback`,
    });
    const url = callbackUrl.slice(TEST_BASE_URL.length);
    const first = await real.app.inject({ method: 'GET', url, headers: { cookie: pendingCookie } });
    expect(first.statusCode).toBe(302);
    // An attacker who saw the callback URL and holds the same pre-sign-in cookie replays it.
    const replay = await real.app.inject({ method: 'GET', url, headers: { cookie: pendingCookie } });
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
    expect(await signedInUser(real, sessionCookieHeader(first))).toMatchObject({ sub: 'shopper-0001' });
  });
});
