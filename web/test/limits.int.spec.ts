import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  csrfFor,
  loginAs,
  oneWebConfig,
  type Stack,
  seedProducts,
  startStack,
  type TestApp,
} from './helper';
import { ADDRESS, newKey } from './shopper';
import { EventReader, get } from './sse';

/**
 * Abuse limits (issue 14): every limit holds, counted in MongoDB so that two web instances on one
 * database share it; the client address is the proxy's word only when the proxy is trusted; live
 * streams are capped; unpaid orders are capped; slow requests time out while live streams do not;
 * anonymous carts expire; random query strings cannot fill the shared-page cache.
 */

const PROXY = '10.0.0.1';
const LIMITS = {
  LOGIN_RATE_LIMIT_MAX: '10',
  CART_RATE_LIMIT_MAX: '3',
  CHECKOUT_RATE_LIMIT_MAX: '7',
  PAYMENT_RATE_LIMIT_MAX: '2',
  CANCEL_RATE_LIMIT_MAX: '2',
  LIVE_STREAMS_PER_CLIENT: '2',
  MAX_UNPAID_ORDERS_PER_USER: '2',
  MAX_HELD_UNITS_PER_USER: '5',
  // Long fixed windows, so no test straddles the start of a new one.
  RATE_LIMIT_WINDOW_SECONDS: '86400',
  TRUST_PROXY: PROXY,
  REQUEST_TIMEOUT_SECONDS: '1',
  SSE_PING_SECONDS: '0.2',
  PAGE_CACHE_SECONDS: '600',
};

let stack: Stack;
/** Two instances of the web app on one database, as behind a load balancer. */
let a: TestApp;
let b: TestApp;
let baseA: string;
let baseB: string;

beforeAll(async () => {
  stack = await startStack();
  const shared = oneWebConfig(stack, LIMITS);
  a = await createTestApp(stack, shared);
  b = await createTestApp(stack, shared);
  await seedProducts(a.db, [{ _id: 'chair', heading: 'Oak Chair', amount: 4999, position: 'hero' }]);
  // Event streams and socket timeouts need real sockets.
  await Promise.all([
    a.app.listen({ port: 0, host: '127.0.0.1' }),
    b.app.listen({ port: 0, host: '127.0.0.1' }),
  ]);
  baseA = `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}`;
  baseB = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await stack?.stop();
});

interface Visitor {
  cookie: string;
  token: string;
  /** The peer address of its requests (light-my-request's `remoteAddress`). */
  address: string;
}

async function anonymous(address: string): Promise<Visitor> {
  return { ...(await csrfFor(a.app)), address };
}

async function signedIn(email: string): Promise<Visitor & { sub: string }> {
  const session = await csrfFor(a.app, await loginAs(a.app, email));
  const me = await a.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: session.cookie } });
  return { ...session, address: '127.0.0.1', sub: (me.json() as { user: { sub: string } }).user.sub };
}

function send(
  app: FastifyInstance,
  visitor: Visitor,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    remoteAddress: visitor.address,
    headers: { cookie: visitor.cookie, 'x-csrf-token': visitor.token, ...headers },
    ...(payload && { payload }),
  });
}

/** A browser's form post without JavaScript (the limit runs before the form is even read). */
function formPost(app: FastifyInstance, visitor: Visitor, url: string): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    remoteAddress: visitor.address,
    headers: {
      cookie: visitor.cookie,
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({ _csrf: visitor.token }).toString(),
  });
}

/** Sends `count` requests alternating between the two instances; returns their statuses. */
async function alternating(
  count: number,
  request: (app: FastifyInstance) => Promise<LightMyRequestResponse>,
) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await request(i % 2 === 0 ? a.app : b.app)).statusCode);
  return statuses;
}

function expectRateLimited(response: LightMyRequestResponse) {
  expect(response.statusCode).toBe(429);
  expect(response.json()).toMatchObject({
    error: 'RATE_LIMITED',
    message: expect.stringMatching(/Too many/),
  });
}

function expectRefusalPage(response: LightMyRequestResponse) {
  expect(response.statusCode).toBe(429);
  expect(response.headers['content-type']).toMatch(/^text\/html/);
  expect(response.body).toContain('Slow down');
}

const missingOrder = `o_${'x'.repeat(22)}`;

describe('rate limits, shared by two instances on one database', () => {
  it('sign-ins: the 11th /auth/login of one address is refused, whichever instance gets it', async () => {
    const visitor = await anonymous('198.51.100.1');
    expect(await alternating(10, (app) => send(app, visitor, 'GET', '/auth/login'))).toEqual(
      Array(10).fill(302),
    );
    expectRateLimited(await send(b.app, visitor, 'GET', '/auth/login'));
    // Another address still signs in.
    expect((await send(a.app, await anonymous('198.51.100.2'), 'GET', '/auth/login')).statusCode).toBe(302);
  });

  it('cart writes: the API routes and the product and cart forms count together', async () => {
    const visitor = await anonymous('198.51.100.3');
    const statuses = [
      (await send(a.app, visitor, 'POST', '/api/cart/lines', { productId: 'chair', qty: 1 })).statusCode,
      (await send(b.app, visitor, 'PUT', '/api/cart/lines/chair', { qty: 2 })).statusCode,
      (await send(a.app, visitor, 'DELETE', '/api/cart/lines/chair')).statusCode,
    ];
    expect(statuses).toEqual([200, 200, 200]);
    expectRateLimited(await send(b.app, visitor, 'POST', '/api/cart/lines', { productId: 'chair', qty: 1 }));
    expectRefusalPage(await formPost(a.app, visitor, '/products/chair'));
    expectRefusalPage(await formPost(b.app, visitor, '/cart'));
  });

  it('checkouts, payments and cancellations: per user, API and form together', async () => {
    const user = await signedIn('shopper@example.com');
    const checkout = (app: FastifyInstance) => send(app, user, 'POST', '/api/checkout', { address: ADDRESS });
    expect(await alternating(7, checkout)).toEqual(Array(7).fill(400));
    expectRateLimited(await checkout(b.app));
    expectRefusalPage(await formPost(a.app, user, '/checkout'));

    const pay = (app: FastifyInstance) =>
      send(app, user, 'POST', `/api/orders/${missingOrder}/payments`, { idempotencyKey: newKey() });
    expect((await alternating(2, pay)).every((status) => status >= 400 && status < 429)).toBe(true);
    expectRateLimited(await pay(a.app));
    expectRefusalPage(await formPost(b.app, user, `/orders/${missingOrder}/pay`));

    const cancel = (app: FastifyInstance) =>
      send(app, user, 'POST', `/api/orders/${missingOrder}/cancellation`);
    expect(await alternating(2, cancel)).toEqual([404, 404]);
    expectRateLimited(await cancel(a.app));
    expectRefusalPage(await formPost(b.app, user, `/orders/${missingOrder}`));
  });
});

describe('the client address behind a proxy', () => {
  const login = (address: string, forwardedFor: string) =>
    a.app.inject({
      method: 'GET',
      url: '/auth/login',
      remoteAddress: address,
      headers: { 'x-forwarded-for': forwardedFor },
    });

  it('ignores X-Forwarded-For from a peer that is not the trusted proxy', async () => {
    const statuses: number[] = [];
    // An attacker sending a new made-up address with each request still counts as one client.
    for (let i = 0; i < 11; i++) statuses.push((await login('203.0.113.9', `192.0.2.${i}`)).statusCode);
    expect(statuses).toEqual([...Array(10).fill(302), 429]);
  });

  it('counts the address the trusted proxy reports, one client apart from another', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login(PROXY, '198.51.100.20')).statusCode);
    expect(statuses).toEqual([...Array(10).fill(302), 429]);
    expect((await login(PROXY, '198.51.100.21')).statusCode).toBe(302);
  });
});

describe('live event streams', () => {
  it('at most LIVE_STREAMS_PER_CLIENT open at once per client, across instances', async () => {
    const path = '/api/products/chair/availability/events';
    const first = await get(`${baseA}${path}`);
    const second = await get(`${baseB}${path}`);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await get(`${baseA}${path}`);
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ error: 'RATE_LIMITED' });

    // Closing a tab gives its place back (the lease goes when the server sees the connection close).
    first.close();
    let reopened = await get(`${baseB}${path}`);
    for (let tries = 0; reopened.status === 429 && tries < 20; tries++) {
      await reopened.json();
      await new Promise((resolve) => setTimeout(resolve, 100));
      reopened = await get(`${baseB}${path}`);
    }
    expect(reopened.status).toBe(200);
    second.close();
    reopened.close();
  });
});

describe('unpaid orders per user', () => {
  it('refuses checkout at MAX_UNPAID_ORDERS_PER_USER orders or MAX_HELD_UNITS_PER_USER units waiting for payment', async () => {
    const user = await signedIn('admin@example.com');
    const carts = a.db.collection<{ _id: string }>('carts');
    const fillCart = (qty: number) =>
      carts.replaceOne(
        { _id: `user:${user.sub}` },
        {
          partition_key: `user:${user.sub}`,
          lines: [{ productId: 'chair', qty, unitPrice: 4999 }],
          currency: 'EUR',
          version: 1,
          updatedAt: new Date(),
        },
        { upsert: true },
      );
    const checkout = () =>
      send(a.app, user, 'POST', '/api/checkout', { address: ADDRESS, idempotencyKey: newKey() });

    await fillCart(2);
    const first = await checkout();
    expect(first.statusCode).toBe(201);

    await fillCart(4);
    const tooManyUnits = await checkout();
    expect(tooManyUnits.statusCode).toBe(409);
    expect(tooManyUnits.json()).toMatchObject({
      error: 'CONFLICT',
      message: expect.stringMatching(/at most 5/),
    });

    await fillCart(3);
    expect((await checkout()).statusCode).toBe(201);

    await fillCart(1);
    const tooManyOrders = await checkout();
    expect(tooManyOrders.statusCode).toBe(409);
    expect(tooManyOrders.json()).toMatchObject({
      message: expect.stringMatching(/2 orders waiting for payment/),
    });
    // The form without JavaScript shows the same reason on the checkout page.
    const form = await b.app.inject({
      method: 'POST',
      url: '/checkout',
      headers: {
        cookie: user.cookie,
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ ...ADDRESS, idempotencyKey: newKey(), _csrf: user.token }).toString(),
    });
    expect(form.statusCode).toBe(409);
    expect(form.body).toContain('2 orders waiting for payment');

    // Ordering expires the first order: its place is free again.
    const { orderId } = first.json() as { orderId: string };
    await a.db
      .collection<{ _id: string; stage: string; paid: boolean }>('fulfilments')
      .insertOne({ _id: orderId, stage: 'Expired', paid: false });
    expect((await checkout()).statusCode).toBe(201);
  });
});

describe('request timeout', () => {
  it('drops a request that does not arrive whole in REQUEST_TIMEOUT_SECONDS', async () => {
    const { port } = a.app.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    // Headers begun and never finished: a slow-loris client.
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('leaves a live event stream open long past it', async () => {
    const response = await get(`${baseA}/api/products/chair/availability/events`);
    const events = new EventReader(response);
    await events.next((event) => event.event === 'availability');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Read what arrived (and wait a little more): pings every 0.2 s, the stream not ended.
    await events.next(() => false, 500).catch(() => undefined);
    expect(events.ended).toBe(false);
    expect(events.comments.filter((comment) => comment === 'ping').length).toBeGreaterThanOrEqual(10);
    events.cancel();
  });
});

describe('anonymous carts expire', () => {
  it('has a TTL index on expiresAt, set on anonymous carts only', async () => {
    const indexes = await a.db.collection('carts').listIndexes().toArray();
    expect(indexes.find((index) => index.name === 'anonymous_expire')).toMatchObject({
      key: { expiresAt: 1 },
      expireAfterSeconds: 0,
    });
    const visitor = await anonymous('198.51.100.40');
    await send(a.app, visitor, 'POST', '/api/cart/lines', { productId: 'chair', qty: 1 });
    const user = await signedIn('shopper@example.com');
    await send(a.app, user, 'POST', '/api/cart/lines', { productId: 'chair', qty: 1 });

    const carts = a.db.collection<{ _id: string; updatedAt: Date; expiresAt?: Date }>('carts');
    const anonymousCart = await carts.findOne({ _id: { $regex: '^anon:' } });
    const userCart = await carts.findOne({ _id: `user:${user.sub}` });
    const week = 7 * 24 * 60 * 60 * 1000;
    expect(anonymousCart?.expiresAt?.getTime()).toBe((anonymousCart?.updatedAt.getTime() ?? 0) + week);
    expect(userCart).not.toBeNull();
    expect(userCart?.expiresAt).toBeUndefined();

    // Time passes: the anonymous cart is due, the user's cart was last touched a year ago.
    const yearAgo = new Date(Date.now() - 365 * 24 * 60 * 60 * 1000);
    await carts.updateOne(
      { _id: anonymousCart?._id ?? '' },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    await carts.updateOne({ _id: `user:${user.sub}` }, { $set: { updatedAt: yearAgo } });
    // The dev Mongo server's TTL monitor runs every second (mongod's every 60 s).
    const deadline = Date.now() + (process.env.MONGO_TEST_URI ? 90_000 : 10_000);
    while ((await carts.countDocuments({ _id: anonymousCart?._id ?? '' })) > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await carts.countDocuments({ _id: anonymousCart?._id ?? '' })).toBe(0);
    expect(await carts.countDocuments({ _id: `user:${user.sub}` })).toBe(1);
  }, 100_000);
});

describe('the shared-page cache', () => {
  it('keys on the path and the page’s own parameters: 1,000 random query strings share one entry', async () => {
    const page = (query: string) =>
      a.app.inject({ method: 'GET', url: `/?${query}`, headers: { accept: 'text/html' } });
    // A page rendered for a request carries that request's URL (the router's location), so a body
    // without the request's own random name was served from the kept copy.
    const name = () => `q.${randomBytes(4).toString('hex')}.q`; // '.' is in no token or nonce alphabet
    const first = name();
    expect((await page(`${first}=1`)).body).toContain(first);
    // The shared copy renders beside the first visitor's page.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < 1000; i++) {
      const random = name();
      const response = await page(`${random}=${i}`);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Oak Chair');
      expect(response.body).not.toContain(random);
    }
    // A parameter that changes the page is part of the key: its own entry, rendered for it.
    expect((await page('offset=0')).statusCode).toBe(200);
  }, 60_000);
});
