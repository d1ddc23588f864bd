import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PAYMENT_EVENTS } from '../src/payments/webhooks';
import { SESSION_COOKIE } from '../src/plugins/external/session';
import { createTestApp, type Stack, seedProducts, startStack, type TestApp } from './helper';
import { ADDRESS, clearCarts, newKey, placeOrder, Shopper, startPayment, writeFulfilment } from './shopper';

let stack: Stack;
let testApp: TestApp;
let sam: Shopper;
let ada: Shopper;

beforeAll(async () => {
  stack = await startStack();
  // Many checkouts in this file: the rate limit has its own test below, with its own app.
  testApp = await createTestApp(stack, { CHECKOUT_RATE_LIMIT_MAX: '1000' });
  await seedProducts(testApp.db, [
    { _id: 'chair', heading: 'Oak Chair', amount: 4999 },
    { _id: 'stool', heading: 'Pine Stool', amount: 1500 },
  ]);
  [sam, ada] = await Promise.all([
    Shopper.signedIn(testApp.app, 'shopper@example.com'),
    Shopper.signedIn(testApp.app, 'admin@example.com'),
  ]);
});

beforeEach(() => clearCarts(testApp.db));

afterAll(async () => {
  await testApp?.close();
  await stack?.stop();
});

describe('POST /api/checkout', () => {
  it('places the order from the cart at catalog prices, holds it until payBy, and empties the cart', async () => {
    await sam.request('POST', '/api/cart/lines', { productId: 'chair', qty: 2 });
    await sam.request('POST', '/api/cart/lines', { productId: 'stool', qty: 1 });
    const idempotencyKey = newKey();
    const response = await sam.request('POST', '/api/checkout', {
      address: { ...ADDRESS, line2: '' },
      idempotencyKey,
    });
    expect(response.statusCode).toBe(201);
    const { orderId } = response.json() as { orderId: string };
    expect(orderId).toMatch(/^o_[\w-]{22}$/);

    const order = await testApp.db
      .collection<{ _id: string; placedAt: Date; payBy: Date }>('orders')
      .findOne({ _id: orderId });
    expect(order).toMatchObject({
      partition_key: 'shopper-0001',
      userId: 'shopper-0001',
      lines: [
        { productId: 'chair', qty: 2, unitPrice: 4999 },
        { productId: 'stool', qty: 1, unitPrice: 1500 },
      ],
      currency: 'EUR',
      total: 11498,
      deliveryAddress: ADDRESS,
      idempotencyKey,
    });
    expect(order?.payBy.getTime()).toBe((order?.placedAt.getTime() ?? 0) + 15 * 60_000);
    expect((await sam.request('GET', '/api/cart')).json()).toMatchObject({ lines: [], count: 0 });
  });

  it('places one order for the same key twice (201, then 200 with the same id)', async () => {
    await sam.request('POST', '/api/cart/lines', { productId: 'chair', qty: 1 });
    const body = { address: ADDRESS, idempotencyKey: newKey() };
    const [first, second] = [
      await sam.request('POST', '/api/checkout', body),
      await sam.request('POST', '/api/checkout', body),
    ];
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(
      await testApp.db.collection('orders').countDocuments({ idempotencyKey: body.idempotencyKey }),
    ).toBe(1);
  });

  it('places one order when the same key arrives twice at once', async () => {
    await sam.request('POST', '/api/cart/lines', { productId: 'stool', qty: 1 });
    const body = { address: ADDRESS, idempotencyKey: newKey() };
    const answers = await Promise.all([
      sam.request('POST', '/api/checkout', body),
      sam.request('POST', '/api/checkout', body),
    ]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 201]);
    expect(
      await testApp.db.collection('orders').countDocuments({ idempotencyKey: body.idempotencyKey }),
    ).toBe(1);
  });

  it('answers 409 for an empty cart', async () => {
    const response = await sam.request('POST', '/api/checkout', {
      address: ADDRESS,
      idempotencyKey: newKey(),
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: 'CONFLICT' });
  });

  it('answers 400 naming every bad field', async () => {
    await sam.request('POST', '/api/cart/lines', { productId: 'chair', qty: 1 });
    const response = await sam.request('POST', '/api/checkout', {
      address: { ...ADDRESS, name: ' ', postcode: '', country: 'Germany' },
      idempotencyKey: newKey(),
    });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { error: string; details: { path: string; message: string }[] };
    expect(body.error).toBe('VALIDATION_FAILED');
    expect(body.details.map((detail) => detail.path)).toEqual([
      '/address/name',
      '/address/postcode',
      '/address/country',
    ]);
    expect(
      await testApp.db.collection('orders').countDocuments({ 'deliveryAddress.country': 'Germany' }),
    ).toBe(0);
  });

  it.each([
    [
      'an operator object for a field',
      { address: { ...ADDRESS, city: { $ne: null } }, idempotencyKey: 'key-abcdefgh' },
    ],
    ['an operator object for the key', { address: ADDRESS, idempotencyKey: { $gt: '' } }],
    ['no address', { idempotencyKey: 'key-abcdefgh' }],
    ['a list instead of an object', [ADDRESS]],
  ])('answers 400 for %s', async (_name, body) => {
    const response = await sam.request('POST', '/api/checkout', body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
  });

  it('needs a signed-in user (401) and the CSRF token (403)', async () => {
    const visitor = await Shopper.anonymous(testApp.app);
    await visitor.request('POST', '/api/cart/lines', { productId: 'chair', qty: 1 });
    const anonymous = await visitor.request('POST', '/api/checkout', {
      address: ADDRESS,
      idempotencyKey: newKey(),
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toEqual({ error: 'UNAUTHORIZED', message: 'Sign in to continue' });
    await sam.request('POST', '/api/cart/lines', { productId: 'chair', qty: 1 });
    const noToken = await sam.request(
      'POST',
      '/api/checkout',
      { address: ADDRESS, idempotencyKey: newKey() },
      { csrf: false },
    );
    expect(noToken.statusCode).toBe(403);
  });
});

describe('GET /api/orders and /api/orders/:id', () => {
  it('lists my orders newest first, with what ordering says', async () => {
    const older = await placeOrder(sam, { chair: 1 });
    const newer = await placeOrder(sam, { stool: 3 });
    await writeFulfilment(testApp.db, older, 'Reserved');
    const response = await sam.request('GET', '/api/orders');
    expect(response.statusCode).toBe(200);
    const orders = response.json() as {
      id: string;
      stage: string;
      itemCount: number;
      total: number;
      paid: boolean;
    }[];
    const mine = orders.filter((order) => order.id === older || order.id === newer);
    expect(mine).toEqual([
      expect.objectContaining({
        id: newer,
        stage: 'Placed',
        itemCount: 3,
        total: 4500,
        paid: false,
        currency: 'EUR',
      }),
      expect.objectContaining({ id: older, stage: 'Reserved', itemCount: 1, total: 4999 }),
    ]);
    expect((await ada.request('GET', '/api/orders')).json()).not.toContainEqual(
      expect.objectContaining({ id: older }),
    );
  });

  it('shows one order with lines, address, fulfilment and payments', async () => {
    const orderId = await placeOrder(sam);
    const before = (await sam.request('GET', `/api/orders/${orderId}`)).json();
    expect(before).toMatchObject({
      id: orderId,
      lines: [
        { productId: 'chair', heading: 'Oak Chair', qty: 2, unitPrice: 4999, lineTotal: 9998 },
        { productId: 'stool', heading: 'Pine Stool', qty: 1, unitPrice: 1500, lineTotal: 1500 },
      ],
      total: 11498,
      currency: 'EUR',
      deliveryAddress: ADDRESS,
      fulfilment: null,
      payments: [],
      paid: false,
      cancellationRequested: false,
    });
    expect(new Date(before.payBy).getTime() - new Date(before.placedAt).getTime()).toBe(15 * 60_000);
    await writeFulfilment(testApp.db, orderId, 'Reserved');
    const after = (await sam.request('GET', `/api/orders/${orderId}`)).json();
    expect(after.fulfilment).toMatchObject({
      stage: 'Reserved',
      paid: false,
      cancellable: true,
      history: [{ stage: 'Placed' }, { stage: 'Reserved' }],
    });
  });

  it("answers someone else's order as missing (404), never with its data", async () => {
    const orderId = await placeOrder(sam);
    for (const url of [`/api/orders/${orderId}`, `/api/orders/${orderId}/events`]) {
      const response = await ada.request('GET', url);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'NOT_FOUND', message: 'Order not found' });
    }
    const payment = await ada.request('POST', `/api/orders/${orderId}/payments`, {
      idempotencyKey: newKey(),
    });
    expect(payment.statusCode).toBe(404);
    const cancel = await ada.request('POST', `/api/orders/${orderId}/cancellation`);
    expect(cancel.statusCode).toBe(404);
    expect(await testApp.db.collection('payments').countDocuments({ orderId })).toBe(0);
    expect(await testApp.db.collection('order_cancellations').countDocuments({ orderId })).toBe(0);
  });

  it('answers 404 for an unknown order and 400 for an id that cannot be one', async () => {
    expect((await sam.request('GET', '/api/orders/o_doesnotexist')).statusCode).toBe(404);
    expect((await sam.request('GET', '/api/orders/%7B%22%24gt%22%3A%22%22%7D')).statusCode).toBe(400);
  });

  it('needs a signed-in user: signed out or with an expired session it is 401', async () => {
    const orderId = await placeOrder(sam);
    const visitor = await Shopper.anonymous(testApp.app);
    for (const url of ['/api/orders', `/api/orders/${orderId}`, `/api/orders/${orderId}/events`]) {
      expect((await visitor.request('GET', url)).statusCode).toBe(401);
    }

    // Cookies sealed with the app's own key, as anyone holding SESSION_SECRET could.
    const app: FastifyInstance = testApp.app;
    const sealed = (data: object, ts: number) => {
      const session = app.createSecureSession({ ...data, __ts: ts });
      return `${SESSION_COOKIE}=${encodeURIComponent(app.encodeSecureSession(session))}`;
    };
    const get = (cookie: string) => app.inject({ method: 'GET', url: '/api/orders', headers: { cookie } });
    const now = Math.round(Date.now() / 1000);
    // Naming a user in the cookie signs nobody in: who is signed in is the server's session record.
    const forged = { user: { sub: 'shopper-0001', name: 'Sam Shopper', roles: ['admin'] } };
    expect((await get(sealed(forged, now))).statusCode).toBe(401);
    const session = await app.sessions.collection.findOne({ sub: 'shopper-0001' });
    expect((await get(sealed({ sid: session?._id }, now))).statusCode).toBe(200); // the sealing is right…
    const tooOld = now - testApp.config.SESSION_MAX_HOURS * 3600 - 60;
    expect((await get(sealed({ sid: session?._id }, tooOld))).statusCode).toBe(401); // …the cookie's age counts too
  });
});

describe('POST /api/orders/:id/payments and the dev payment page', () => {
  const payments = () => testApp.db.collection<{ _id: string; status: string }>('payments');

  it('sends the shopper to the dev page; a declined card leaves the order unpaid, another attempt pays it', async () => {
    const orderId = await placeOrder(sam);
    const first = await startPayment(sam, orderId);
    expect(first.redirectUrl).toBe(`${testApp.config.WEB_BASE_URL}/dev-checkout/${first.paymentId}`);
    expect(await payments().findOne({ _id: first.paymentId })).toMatchObject({
      orderId,
      status: 'pending',
      amount: 11498,
      currency: 'EUR',
      provider: 'dev',
      partition_key: 'shopper-0001',
    });

    const page = await sam.request('GET', `/dev-checkout/${first.paymentId}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('€114.98');
    expect(page.body).toContain('4242 4242 4242 4242');
    expect(page.body).not.toMatch(/<script|style=/);

    const declined = await sam.request('POST', `/dev-checkout/${first.paymentId}`, {
      cardNumber: '4000 0000 0000 0002',
    });
    expect(declined.statusCode).toBe(303);
    expect(declined.headers.location).toBe(`/orders/${orderId}/pay?declined=1`);
    expect(await payments().findOne({ _id: first.paymentId })).toMatchObject({ status: 'declined' });
    expect((await sam.request('GET', `/api/orders/${orderId}`)).json()).toMatchObject({ paid: false });

    const key = newKey();
    const second = await startPayment(sam, orderId, key);
    const paid = await sam.request('POST', new URL(second.redirectUrl).pathname, {
      cardNumber: '4242424242424242',
    });
    expect(paid.statusCode).toBe(303);
    expect(paid.headers.location).toBe(`/orders/${orderId}`);
    expect(await payments().findOne({ _id: second.paymentId })).toMatchObject({
      status: 'authorized',
      providerPaymentId: expect.any(String),
    });
    const stored = JSON.stringify(await payments().find({ orderId }).toArray());
    expect(stored, 'no card number is kept').not.toMatch(/4242424242424242|0000000000000002/);
    expect((await sam.request('GET', `/api/orders/${orderId}`)).json()).toMatchObject({
      paid: true,
      payments: [
        { id: second.paymentId, status: 'authorized' },
        { id: first.paymentId, status: 'declined' },
      ],
    });
    // Both confirmations came through the webhook code, recorded by event id.
    expect(
      await testApp.db
        .collection(PAYMENT_EVENTS)
        .countDocuments({ paymentId: { $in: [first.paymentId, second.paymentId] } }),
    ).toBe(2);

    // The same key again is the same attempt; a new attempt on a paid order is refused; the page is done.
    const repeat = await sam.request('POST', `/api/orders/${orderId}/payments`, { idempotencyKey: key });
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toEqual(second);
    expect(
      (await sam.request('POST', `/api/orders/${orderId}/payments`, { idempotencyKey: newKey() })).statusCode,
    ).toBe(409);
    expect((await sam.request('GET', `/dev-checkout/${second.paymentId}`)).headers.location).toBe(
      `/orders/${orderId}`,
    );
    expect(await payments().countDocuments({ orderId })).toBe(2);
  });

  it('keeps one authorized payment when two started attempts are both paid: the second is marked duplicate', async () => {
    const orderId = await placeOrder(sam, { stool: 1 });
    const [one, two] = await Promise.all([startPayment(sam, orderId), startPayment(sam, orderId)]);
    const paid = await Promise.all(
      [one, two].map((attempt) =>
        sam.request('POST', new URL(attempt.redirectUrl).pathname, { cardNumber: '4242 4242 4242 4242' }),
      ),
    );
    expect(paid.map((response) => response.statusCode)).toEqual([303, 303]);
    const statuses = (await payments().find({ orderId }).toArray()).map((payment) => payment.status).sort();
    expect(statuses).toEqual(['authorized', 'duplicate']);
  });

  it('never takes a card: card fields in the API are a 400 and nothing is stored', async () => {
    const orderId = await placeOrder(sam, { stool: 1 });
    for (const body of [
      { cardNumber: '4242 4242 4242 4242', expiry: '12/39', cvc: '123', idempotencyKey: newKey() },
      { idempotencyKey: { $ne: '' } },
      {},
    ]) {
      const response = await sam.request('POST', `/api/orders/${orderId}/payments`, body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
    }
    expect(await payments().countDocuments({ orderId })).toBe(0);
  });

  it('refuses to start a payment after payBy or for an ended order (409)', async () => {
    const late = await placeOrder(sam, { stool: 1 });
    await testApp.db
      .collection<{ _id: string }>('orders')
      .updateOne({ _id: late }, { $set: { payBy: new Date(Date.now() - 1000) } });
    const start = (orderId: string) =>
      sam.request('POST', `/api/orders/${orderId}/payments`, { idempotencyKey: newKey() });
    expect((await start(late)).statusCode).toBe(409);
    const cancelled = await placeOrder(sam, { stool: 1 });
    await writeFulfilment(testApp.db, cancelled, 'Cancelled');
    expect((await start(cancelled)).statusCode).toBe(409);
    expect(await payments().countDocuments({ orderId: { $in: [late, cancelled] } })).toBe(0);
  });

  it('needs a signed-in user (401) and the CSRF token (403)', async () => {
    const orderId = await placeOrder(sam, { stool: 1 });
    const visitor = await Shopper.anonymous(testApp.app);
    const body = { idempotencyKey: newKey() };
    expect((await visitor.request('POST', `/api/orders/${orderId}/payments`, body)).statusCode).toBe(401);
    const noToken = await sam.request('POST', `/api/orders/${orderId}/payments`, body, { csrf: false });
    expect(noToken.statusCode).toBe(403);
  });

  it("keeps the dev page to the payment's owner, with its CSRF token, and only the test cards", async () => {
    const orderId = await placeOrder(sam, { stool: 1 });
    const { paymentId } = await startPayment(sam, orderId);
    const page = `/dev-checkout/${paymentId}`;
    expect((await ada.request('GET', page)).statusCode).toBe(404);
    expect((await ada.request('POST', page, { cardNumber: '4242424242424242' })).statusCode).toBe(404);
    expect(
      (await sam.request('POST', page, { cardNumber: '4242424242424242' }, { csrf: false })).statusCode,
    ).toBe(403);
    const other = await sam.request('POST', page, { cardNumber: '5555 5555 5555 4444' });
    expect(other.statusCode).toBe(400);
    expect(other.body).toMatch(/role="alert"[^>]*>Use a test card/);
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'pending' });
  });

  it('refuses a dev webhook that this process did not sign (400), so nobody can pay with a forged one', async () => {
    const orderId = await placeOrder(sam, { stool: 1 });
    const { paymentId } = await startPayment(sam, orderId);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/payments/webhooks/dev',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      payload: JSON.stringify({
        id: 'evt_forged',
        type: 'checkout.session.completed',
        data: {
          object: { id: `cs_dev_${paymentId}`, object: 'checkout.session', client_reference_id: paymentId },
        },
      }),
    });
    expect(response.statusCode).toBe(400);
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'pending' });
  });
});

describe('POST /api/orders/:id/cancellation', () => {
  it('records one request per order (202, again 202)', async () => {
    const orderId = await placeOrder(sam, { stool: 1 });
    await writeFulfilment(testApp.db, orderId, 'Picking');
    const first = await sam.request('POST', `/api/orders/${orderId}/cancellation`);
    expect(first.statusCode).toBe(202);
    expect((await sam.request('POST', `/api/orders/${orderId}/cancellation`)).statusCode).toBe(202);
    const requests = await testApp.db.collection('order_cancellations').find({ orderId }).toArray();
    expect(requests).toMatchObject([
      { _id: `c_${orderId}`, partition_key: 'shopper-0001', userId: 'shopper-0001' },
    ]);
    expect((await sam.request('GET', `/api/orders/${orderId}`)).json()).toMatchObject({
      cancellationRequested: true,
    });
  });

  it('answers 409 once the fulfilment says Shipped', async () => {
    const orderId = await placeOrder(sam, { stool: 1 });
    await writeFulfilment(testApp.db, orderId, 'Shipped');
    const response = await sam.request('POST', `/api/orders/${orderId}/cancellation`);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: 'CONFLICT' });
    expect(await testApp.db.collection('order_cancellations').countDocuments({ orderId })).toBe(0);
  });

  it('needs the CSRF token (403) and a user (401)', async () => {
    const orderId = await placeOrder(sam, { stool: 1 });
    expect(
      (await sam.request('POST', `/api/orders/${orderId}/cancellation`, undefined, { csrf: false }))
        .statusCode,
    ).toBe(403);
    const visitor = await Shopper.anonymous(testApp.app);
    expect((await visitor.request('POST', `/api/orders/${orderId}/cancellation`)).statusCode).toBe(401);
  });
});

describe('indexes', () => {
  it('are created at start', async () => {
    const orders = await testApp.db.collection('orders').indexes();
    expect(orders.map((index) => index.name)).toContain('by_user_placed');
    const payments = await testApp.db.collection('payments').indexes();
    expect(payments.map((index) => index.name)).toEqual(
      expect.arrayContaining(['by_order', 'one_authorized_per_order']),
    );
  });
});

describe('rate limits', () => {
  it('limits checkouts per user and sign-ins per address (429)', async () => {
    const limited = await createTestApp(stack, { CHECKOUT_RATE_LIMIT_MAX: '2', LOGIN_RATE_LIMIT_MAX: '3' });
    try {
      const shopper = await Shopper.signedIn(limited.app, 'shopper@example.com'); // sign-in 1
      const checkout = () =>
        shopper.request('POST', '/api/checkout', { address: ADDRESS, idempotencyKey: newKey() });
      expect((await checkout()).statusCode).toBe(409); // empty cart, but counted
      expect((await checkout()).statusCode).toBe(409);
      const third = await checkout();
      expect(third.statusCode).toBe(429);
      expect(third.json()).toMatchObject({ error: 'RATE_LIMITED' });
      expect(third.headers['retry-after']).toBeDefined();
      // Another user has a counter of their own.
      const other = await Shopper.signedIn(limited.app, 'admin@example.com'); // sign-in 2
      const theirs = await other.request('POST', '/api/checkout', {
        address: ADDRESS,
        idempotencyKey: newKey(),
      });
      expect(theirs.statusCode).toBe(409);

      expect((await limited.app.inject({ method: 'GET', url: '/auth/login' })).statusCode).toBe(302); // 3
      expect((await limited.app.inject({ method: 'GET', url: '/auth/login' })).statusCode).toBe(429);
      // Other routes are not limited.
      expect((await limited.app.inject({ method: 'GET', url: '/api/products' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
