import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEV_USERS, type OidcServer, startOidcServer } from '../src/index';
import { CookieJar, fetchWithJar, findForm, signInThroughForms } from '../src/testing';

const CLIENT_ID = 'az-shop-web';
const CLIENT_SECRET = 'test-only-client-secret';
const REDIRECT_URI = 'http://127.0.0.1:3999/auth/callback';

let idp: OidcServer;
let config: client.Configuration;
const log = { info: vi.fn(), warn: vi.fn() };

beforeAll(async () => {
  idp = await startOidcServer({
    port: 0,
    logger: log,
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: ['http://127.0.0.1:3999/'],
      },
    ],
  });
  config = await client.discovery(
    new URL(idp.issuer),
    CLIENT_ID,
    undefined,
    client.ClientSecretBasic(CLIENT_SECRET),
    { execute: [client.allowInsecureRequests] },
  );
});

afterAll(async () => {
  await idp?.stop();
});

async function startAuthorization(extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

describe('dev OIDC provider', () => {
  it('answers discovery with code + PKCE (S256) and the roles claim', async () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(idp.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.claims_supported).toContain('roles');
    expect(metadata.end_session_endpoint).toBeDefined();
  });

  it('serves /healthz', async () => {
    const response = await fetch(`${idp.issuer}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'alive' });
  });

  it.each(DEV_USERS.map((user) => [user.email, user] as const))(
    'completes authorization code + PKCE for %s with the right ID token claims',
    async (_email, user) => {
      const { url, verifier, state, nonce } = await startAuthorization();
      const callback = await signInThroughForms({
        jar: new CookieJar(),
        startUrl: url.href,
        email: user.email,
        stopAt: REDIRECT_URI,
      });
      const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      expect(tokens.claims()).toMatchObject({
        iss: idp.issuer,
        aud: CLIENT_ID,
        sub: user.sub,
        name: user.name,
        email: user.email,
        email_verified: true,
        roles: user.roles,
      });
    },
  );

  it('gives the admin role only to the admin', () => {
    const admin = DEV_USERS.find((user) => user.email === 'admin@example.com');
    const shopper = DEV_USERS.find((user) => user.email === 'shopper@example.com');
    expect(admin?.roles).toEqual(['admin']);
    expect(shopper?.roles).toEqual([]);
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: client.randomState(),
    });
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '', idp.issuer);
    expect(location.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  /** Opens the login page of a fresh authorization request; returns its URL and the jar holding its cookies. */
  async function openLoginPage() {
    const jar = new CookieJar();
    const { url } = await startAuthorization();
    const redirect = await fetchWithJar(jar, url.href);
    const interactionUrl = new URL(redirect.headers.get('location') ?? '', idp.issuer).href;
    const page = await (await fetchWithJar(jar, interactionUrl)).text();
    return { jar, interactionUrl, page };
  }

  function postLogin(jar: CookieJar, interactionUrl: string, fields: Record<string, string>) {
    return fetchWithJar(jar, `${interactionUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  it('shows a labelled login form with an email and a password', async () => {
    const { page } = await openLoginPage();
    expect(page).toContain('<label for="email">Email</label>');
    expect(page).toContain('<label for="password">Password</label>');
    expect(page).toMatch(/<input id="password" name="password" type="password" required/);
    expect(page).toContain('<button type="submit">Sign in</button>');
  });

  it('refuses a wrong password: 401, the form again with the email kept, and a log line', async () => {
    const { jar, interactionUrl } = await openLoginPage();
    log.warn.mockClear();
    const response = await postLogin(jar, interactionUrl, {
      email: 'admin@example.com',
      password: 'shopper-password',
    });
    expect(response.status).toBe(401);
    const page = await response.text();
    expect(page).toContain('Wrong email or password.');
    expect(page).toContain('value="admin@example.com"');
    expect(page).toContain('<label for="password">Password</label>');
    expect(page).not.toContain('shopper-password');
    expect(log.warn).toHaveBeenCalledWith(
      expect.objectContaining({ email: 'admin@example.com', reason: 'wrong password' }),
      'sign-in refused',
    );
  });

  it('refuses an unknown email with the same words as a wrong password', async () => {
    const { jar, interactionUrl } = await openLoginPage();
    const response = await postLogin(jar, interactionUrl, {
      email: 'nobody@example.com',
      password: 'admin-password',
    });
    expect(response.status).toBe(401);
    const page = await response.text();
    expect(page).toContain('Wrong email or password.');
    expect(page).not.toContain('No dev user');
    expect(log.warn).toHaveBeenLastCalledWith(
      expect.objectContaining({ email: 'nobody@example.com', reason: 'unknown email' }),
      'sign-in refused',
    );
  });

  it('refuses a missing password', async () => {
    const { jar, interactionUrl } = await openLoginPage();
    const response = await postLogin(jar, interactionUrl, { email: 'shopper@example.com' });
    expect(response.status).toBe(401);
  });

  it('signs in with the right password given explicitly, after a wrong attempt', async () => {
    const { url, verifier, state, nonce } = await startAuthorization();
    const jar = new CookieJar();
    await expect(
      signInThroughForms({
        jar,
        startUrl: url.href,
        email: 'shopper@example.com',
        password: 'not-the-password',
        stopAt: REDIRECT_URI,
      }),
    ).rejects.toThrow(/\(401\)/);
    const callback = await signInThroughForms({
      jar,
      startUrl: url.href,
      email: 'shopper@example.com',
      password: 'shopper-password',
      stopAt: REDIRECT_URI,
    });
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()?.sub).toBe('shopper-0001');
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ sub: 'shopper-0001' }), 'signed in');
  });

  it('ends the session with RP-initiated logout back to the client', async () => {
    const jar = new CookieJar();
    const { url, verifier, state, nonce } = await startAuthorization();
    const callback = await signInThroughForms({
      jar,
      startUrl: url.href,
      email: 'shopper@example.com',
      stopAt: REDIRECT_URI,
    });
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'http://127.0.0.1:3999/',
    });
    const confirm = await (await fetchWithJar(jar, endSession.href)).text();
    expect(confirm).toContain('Yes, sign me out');
    const form = findForm(confirm, /\/session\/end\/confirm$/);
    expect(form).toBeDefined();
    const done = await fetchWithJar(jar, new URL(form?.action ?? '', idp.issuer).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form?.fields, logout: 'yes' }).toString(),
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://127.0.0.1:3999/');
  });
});
