import { randomBytes } from 'node:crypto';
import { setDevUserRoles } from '@az-shop/identity-emulator/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/plugins/external/session';
import {
  createTestApp,
  csrfFor,
  loginAs,
  oneWebConfig,
  type Stack,
  sessionCookieHeader,
  setCookieLines,
  startStack,
  TEST_CLIENT,
  type TestApp,
} from './helper';
import { type OidcStandIn, startOidcStandIn } from './oidc-stand-in';

/**
 * Sessions live on the server: a copied cookie stops working at sign-out, sessions end by their
 * absolute and idle lifetimes whatever the visitor does, "sign out everywhere" ends them all, roles
 * follow the provider, and rotating the secret signs nobody out.
 */
let stack: Stack;
const apps: TestApp[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await Promise.allSettled(apps.map((app) => app.close()));
  await stack?.stop();
});

async function app(overrides: Record<string, string> = {}): Promise<TestApp> {
  const created = await createTestApp(stack, overrides);
  apps.push(created);
  return created;
}

async function userOf(testApp: TestApp, cookie: string) {
  const response = await testApp.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
  return (response.json() as { user: { sub: string; roles: string[] } | null }).user;
}

async function post(testApp: TestApp, url: string, signedIn: string) {
  const { cookie, token } = await csrfFor(testApp.app, signedIn);
  return testApp.app.inject({
    method: 'POST',
    url,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(token)}`,
  });
}

/** Two instances of web on one database with one secret, as behind a load balancer. */
async function twoInstances(overrides: Record<string, string> = {}) {
  const shared = oneWebConfig(stack, overrides);
  return [await app(shared), await app(shared)] as const;
}

describe('sign-out', () => {
  it('ends the session on the server: a copy of the cookie stops working at once', async () => {
    const web = await app();
    const cookie = await loginAs(web.app, 'shopper@example.com');
    const copy = cookie;
    expect(await userOf(web, copy)).toMatchObject({ sub: 'shopper-0001' });
    expect((await post(web, '/auth/logout', cookie)).statusCode).toBe(303);
    expect(await userOf(web, copy)).toBeNull();
    const orders = await web.app.inject({ method: 'GET', url: '/api/orders', headers: { cookie: copy } });
    expect(orders.statusCode).toBe(401);
  });

  it('on one instance ends the session on the others within SESSION_CACHE_SECONDS', async () => {
    const [a, b] = await twoInstances();
    const cookie = await loginAs(a.app, 'shopper@example.com');
    expect(await userOf(b, cookie)).toMatchObject({ sub: 'shopper-0001' });
    await post(a, '/auth/logout', cookie);
    await sleep(b.config.SESSION_CACHE_SECONDS * 1000 + 50);
    expect(await userOf(b, cookie)).toBeNull();
  });

  it('everywhere ends every session of the user, and only theirs', async () => {
    const web = await app();
    const phone = await loginAs(web.app, 'shopper@example.com');
    const laptop = await loginAs(web.app, 'shopper@example.com');
    const someoneElse = await loginAs(web.app, 'admin@example.com');
    const response = await post(web, '/auth/logout-everywhere', laptop);
    expect(response.statusCode).toBe(303);
    expect(await userOf(web, phone)).toBeNull();
    expect(await userOf(web, laptop)).toBeNull();
    expect(await userOf(web, someoneElse)).toMatchObject({ sub: 'admin-0001' });
  });

  it('everywhere needs a signed-in user and a CSRF token', async () => {
    const web = await app();
    const cookie = await loginAs(web.app, 'shopper@example.com');
    const noToken = await web.app.inject({
      method: 'POST',
      url: '/auth/logout-everywhere',
      headers: { cookie },
    });
    expect(noToken.statusCode).toBe(403);
    expect(await userOf(web, cookie)).toMatchObject({ sub: 'shopper-0001' });
    const signedOut = await web.app.inject({ method: 'POST', url: '/auth/logout-everywhere' });
    expect(signedOut.statusCode).toBe(401);
  });
});

describe('lifetimes', () => {
  it('end a session at its absolute lifetime, however often the visitor comes back or starts a sign-in', async () => {
    const web = await app({ SESSION_MAX_HOURS: String(2 / 3600), SESSION_CACHE_SECONDS: '0' });
    let cookie = await loginAs(web.app, 'shopper@example.com');
    const started = Date.now();
    while (Date.now() - started < 1500) {
      const login = await web.app.inject({ method: 'GET', url: '/auth/login', headers: { cookie } });
      if (setCookieLines(login).some((line) => line.startsWith(`${SESSION_COOKIE}=`)))
        cookie = sessionCookieHeader(login);
      expect(await userOf(web, cookie)).toMatchObject({ sub: 'shopper-0001' });
      await sleep(200);
    }
    await sleep(2000 - (Date.now() - started) + 100);
    expect(await userOf(web, cookie)).toBeNull();
  });

  it('end a session left idle for SESSION_IDLE_MINUTES', async () => {
    const web = await app({ SESSION_IDLE_MINUTES: String(1.5 / 60), SESSION_CACHE_SECONDS: '0' });
    const cookie = await loginAs(web.app, 'shopper@example.com');
    expect(await userOf(web, cookie)).not.toBeNull();
    await sleep(1600);
    expect(await userOf(web, cookie)).toBeNull();
  });
});

describe('roles', () => {
  it('follow the provider: an admin whose role is removed there loses it within ROLES_RECHECK_SECONDS', async () => {
    const web = await app({ ROLES_RECHECK_SECONDS: '1' });
    const cookie = await loginAs(web.app, 'admin@example.com');
    expect((await userOf(web, cookie))?.roles).toEqual(['admin']);
    const restore = setDevUserRoles('admin@example.com', []);
    try {
      await sleep(1100);
      expect((await userOf(web, cookie))?.roles).toEqual([]);
    } finally {
      restore();
    }
  });

  it('lapse when the provider has not confirmed them for two intervals; the user stays signed in', async () => {
    const web = await app();
    const cookie = await loginAs(web.app, 'admin@example.com');
    const ago = new Date(Date.now() - 2 * web.config.ROLES_RECHECK_SECONDS * 1000);
    // No refresh token to ask with (a provider that issues none): nothing can confirm the roles.
    await web.app.sessions.collection.updateMany(
      {},
      { $unset: { refreshToken: '' }, $set: { rolesCheckedAt: ago } },
    );
    const session = await web.app.sessions.collection.findOne({ sub: 'admin-0001' });
    web.app.sessions.forget(session?._id ?? '');
    expect(await userOf(web, cookie)).toMatchObject({ sub: 'admin-0001', roles: [] });
  });

  it('a refresh token the provider refuses (revoked) ends the session', async () => {
    const standIn: OidcStandIn = await startOidcStandIn(TEST_CLIENT.id);
    try {
      const web = await app({ OIDC_ISSUER: standIn.issuer, ROLES_RECHECK_SECONDS: '1' });
      const login = await web.app.inject({ method: 'GET', url: '/auth/login' });
      const params = new URL(String(login.headers.location)).searchParams;
      standIn.nextIdToken({ nonce: params.get('nonce') ?? '', roles: ['admin'] });
      const callback = await web.app.inject({
        method: 'GET',
        url: `/auth/callback?code=c1&state=${params.get('state')}`,
        headers: { cookie: sessionCookieHeader(login) },
      });
      const cookie = sessionCookieHeader(callback);
      expect((await userOf(web, cookie))?.roles).toEqual(['admin']);
      await sleep(1100);
      expect(await userOf(web, cookie)).toBeNull();
    } finally {
      await standIn.stop();
    }
  });
});

describe('the session secret', () => {
  it('rotates without signing anyone out: the previous secret opens, the new one seals', async () => {
    const oldSecret = randomBytes(32).toString('hex');
    const newSecret = randomBytes(32).toString('hex');
    const [before] = await twoInstances({ SESSION_SECRET: oldSecret });
    const database = { MONGO_DB: before.config.MONGO_DB };
    const during = await app({ ...database, SESSION_SECRET: newSecret, SESSION_SECRET_PREVIOUS: oldSecret });
    const after = await app({ ...database, SESSION_SECRET: newSecret });
    const oldCookie = await loginAs(before.app, 'shopper@example.com');

    const opened = await during.app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: oldCookie },
    });
    expect(opened.json()).toMatchObject({ user: { sub: 'shopper-0001' } });
    const resealed = sessionCookieHeader(opened);
    expect(await userOf(after, resealed)).toMatchObject({ sub: 'shopper-0001' });
    expect(await userOf(after, oldCookie)).toBeNull();
  });
});

describe('over https', () => {
  it('names the cookie with the __Host- prefix: Secure, Path=/, no Domain', async () => {
    const web = await app({ WEB_BASE_URL: 'https://shop.example' });
    const login = await web.app.inject({ method: 'GET', url: '/auth/login' });
    const line = setCookieLines(login).find((candidate) => candidate.startsWith('__Host-az_session=')) ?? '';
    expect(line).toMatch(/; Secure/i);
    expect(line).toMatch(/; Path=\//i);
    expect(line).not.toMatch(/; Domain=/i);
    expect(line).toMatch(/; HttpOnly/i);
  });
});
