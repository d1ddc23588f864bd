import { eventually } from '@az-shop/common/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS } from '../src/auth/last-write';
import { SLOT_VALUES } from '../src/ssr/shared-pages';
import {
  createTestApp,
  loginAs,
  oneWebConfig,
  type Stack,
  seedProducts,
  startStack,
  type TestApp,
} from './helper';
import { ADDRESS, writeFulfilment } from './shopper';
import { cspNonce, hiddenField, hydrationJson, rootDataOf, Visitor } from './visitor';

/**
 * The personal-page cache (src/ssr/personal-pages.ts) on two instances of one web: a repeat view of
 * a shopper's own page comes from the kept page with this response's own values, and whatever
 * changes the page's data (the shopper's own write through any instance, ordering moving an order
 * on, a catalog edit) shows on the next view.
 */
let stack: Stack;
let shared: Record<string, string>;
let a: TestApp;

beforeAll(async () => {
  stack = await startStack();
  shared = oneWebConfig(stack, {
    PERSONAL_PAGE_CACHE_SECONDS: '60',
    CART_COUNT_CACHE_SECONDS: '60',
  });
  a = await createTestApp(stack, shared);
  await seedProducts(a.db, [
    { _id: 'chair-1', heading: 'Oak Chair', category: 'chairs', amount: 4999 },
    { _id: 'table-1', heading: 'Walnut Table', category: 'tables', amount: 19900 },
  ]);
});

afterAll(async () => {
  await a.close();
  await stack.stop();
});

/** Counts the reads behind the personal pages on `app` (its own services, wrapped in place). */
function countReads(app: FastifyInstance) {
  const reads = { cart: 0, orders: 0, order: 0 };
  const { carts, orders } = app;
  const view = carts.view;
  carts.view = (cartId) => {
    reads.cart++;
    return view(cartId);
  };
  const list = orders.list;
  orders.list = (userId) => {
    reads.orders++;
    return list(userId);
  };
  const orderView = orders.view;
  orders.view = (userId, orderId) => {
    reads.order++;
    return orderView(userId, orderId);
  };
  return reads;
}

/** Waits until pages read from now on may be kept for this shopper (their last write is older than the skew). */
const settle = () => new Promise((resolve) => setTimeout(resolve, CLOCK_SKEW_MS + 50));

const nonceOf = (page: LightMyRequestResponse) => cspNonce(page.headers['content-security-policy']);

/** The quantities of the cart page's lines, by product. */
function cartLines(body: string): Record<string, string> {
  const lines: Record<string, string> = {};
  for (const match of body.matchAll(/name="productId" value="([^"]+)"[\s\S]*?name="qty"[^>]*value="(\d+)"/g))
    lines[match[1] ?? ''] = match[2] ?? '';
  return lines;
}

async function signedIn(app: FastifyInstance, email: string): Promise<Visitor> {
  return new Visitor(app, await loginAs(app, email));
}

async function addToCart(visitor: Visitor, productId: string, qty: number) {
  const added = await visitor.submit(`/products/${productId}`, { intent: 'add', qty: String(qty) });
  expect(added.statusCode).toBe(303);
}

describe('personal pages', () => {
  it('serve a repeat view from the kept page, with the response’s own nonce, CSRF token and header', async () => {
    const sam = await signedIn(a.app, 'shopper@example.com');
    await addToCart(sam, 'chair-1', 2);
    await settle();
    const reads = countReads(a.app);
    const first = await sam.get('/cart');
    const second = await sam.get('/cart');
    expect(reads.cart).toBe(1);
    for (const page of [first, second]) {
      expect(page.statusCode).toBe(200);
      expect(cartLines(page.body)).toEqual({ 'chair-1': '2' });
      expect(page.body).toContain(`nonce="${nonceOf(page)}"`);
      expect(rootDataOf(page.body)).toMatchObject({
        session: { user: { sub: 'shopper-0001', name: 'Sam Shopper' } },
        cartCount: 2,
      });
      for (const standIn of Object.values(SLOT_VALUES)) expect(page.body).not.toContain(standIn);
    }
    expect(nonceOf(first)).not.toBe(nonceOf(second));
    // The operators see what the cache holds.
    const metrics = (await a.app.inject('/metrics')).body;
    expect(Number(/^web_personal_pages(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^web_personal_pages_bytes(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(
      1000,
    );

    // The kept page's form works without JavaScript, and the change shows on the very next view.
    const updated = await sam.post('/cart', {
      _csrf: hiddenField(second.body, '_csrf'),
      intent: 'update',
      productId: 'chair-1',
      qty: '3',
    });
    expect(updated.statusCode).toBe(200);
    expect(cartLines((await sam.get('/cart')).body)).toEqual({ 'chair-1': '3' });
    expect(reads.cart).toBe(3); // the post's own page, then the view after it
  });

  it('stamp the session with the time of a write: a form post, and the sign-in callback (its cart merge)', async () => {
    const stampOf = (cookie: string) =>
      a.app.decodeSecureSession(decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1)))?.get('wroteAt');
    const before = Date.now();
    const sam = await signedIn(a.app, 'shopper@example.com');
    const signedInAt = stampOf(sam.cookie) ?? 0;
    expect(signedInAt).toBeGreaterThanOrEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await addToCart(sam, 'chair-1', 1);
    expect(stampOf(sam.cookie)).toBeGreaterThan(signedInAt);
    // A page view writes nothing: the stamp stays.
    const stamped = stampOf(sam.cookie);
    await sam.get('/cart');
    expect(stampOf(sam.cookie)).toBe(stamped);
  });

  it('send a visitor who is not signed in from checkout to sign in, reading their cart once', async () => {
    const visitor = new Visitor(a.app);
    await addToCart(visitor, 'chair-1', 1);
    await settle();
    const reads = countReads(a.app);
    const checkout = await visitor.get('/checkout');
    expect(checkout.statusCode).toBe(302);
    expect(checkout.headers.location).toBe('/auth/login?returnTo=%2Fcheckout');
    expect(reads.cart).toBe(1);
  });

  it('show a shopper only their own page when two are kept side by side', async () => {
    const sam = await signedIn(a.app, 'shopper@example.com');
    const ada = await signedIn(a.app, 'admin@example.com');
    await a.db.collection('carts').deleteMany({});
    await addToCart(sam, 'chair-1', 1);
    await addToCart(ada, 'table-1', 4);
    await settle();
    const pages = await Promise.all(
      Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? sam : ada).get('/cart')),
    );
    pages.forEach((page, index) => {
      const own = index % 2 === 0;
      expect(cartLines(page.body)).toEqual(own ? { 'chair-1': '1' } : { 'table-1': '4' });
      expect(page.body).toContain(own ? 'Sam Shopper' : 'Ada Admin');
      expect(page.body).not.toContain(own ? 'Ada Admin' : 'Sam Shopper');
    });
  });

  it('give every checkout page its own idempotency key, and the kept page places the order', async () => {
    const sam = await signedIn(a.app, 'shopper@example.com');
    await a.db.collection('carts').deleteMany({});
    await addToCart(sam, 'chair-1', 1);
    await settle();
    const reads = countReads(a.app);
    const [first, second] = [await sam.get('/checkout'), await sam.get('/checkout')];
    expect(reads.cart).toBe(1);
    const keys = [first, second].map((page) => hiddenField(page.body, 'idempotencyKey'));
    expect(keys[0]).not.toBe(keys[1]);
    for (const key of keys)
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(hydrationJson(second.body)).toContain(keys[1]);

    const placed = await sam.post('/checkout', {
      _csrf: hiddenField(second.body, '_csrf'),
      idempotencyKey: keys[1] ?? '',
      ...ADDRESS,
      line2: '',
    });
    expect(placed.statusCode).toBe(303);
    expect(placed.headers.location).toMatch(/^\/orders\/[^/]+\/pay$/);
  });

  it('show what ordering wrote to an order once its change reaches the instance', async () => {
    const sam = await signedIn(a.app, 'shopper@example.com');
    const [order] = await a.db
      .collection<{ _id: string }>('orders')
      .find({ userId: 'shopper-0001' })
      .toArray();
    if (!order) throw new Error('the checkout test placed no order');
    await writeFulfilment(a.db, order._id, 'Reserved');
    const url = `/orders/${encodeURIComponent(order._id)}`;
    await settle();
    const reads = countReads(a.app);
    await sam.get(url);
    await sam.get('/orders');
    const kept = await sam.get(url);
    expect(kept.body).toContain('Reserved');
    expect(reads).toMatchObject({ order: 1, orders: 1 });

    // As ordering would: the fulfilment moves on.
    await writeFulfilment(a.db, order._id, 'Shipped');
    await eventually(async () => (await sam.get(url)).body.includes('Shipped'), {
      what: 'the order shipped',
    });
    await eventually(async () => (await sam.get('/orders')).body.includes('Shipped'), {
      what: 'the list shows it shipped',
    });
  });

  it('show what another device or the payment provider wrote (an order, a payment, a cancellation) once it reaches the instance', async () => {
    const sam = await signedIn(a.app, 'shopper@example.com');
    const orders = a.db.collection<{ _id: string; userId: string }>('orders');
    const [order] = await orders.find({ userId: 'shopper-0001' }).toArray();
    if (!order) throw new Error('the checkout test placed no order');
    const url = `/orders/${encodeURIComponent(order._id)}`;
    await settle();
    const listed = (body: string) => body.match(/<tr/g)?.length ?? 0;
    const before = listed((await sam.get('/orders')).body);
    const page = (await sam.get(url)).body;
    expect(page).not.toContain('Paid');
    expect(page).not.toContain('You asked to cancel this order.');

    // Straight in the database, as web on another device or the provider's webhook would write:
    // nothing of it passes through this instance or this shopper's session.
    await orders.insertOne({ ...order, _id: `${order._id}-other-device` });
    await eventually(async () => listed((await sam.get('/orders')).body) === before + 1, {
      what: "the other device's order in the list",
    });
    await a.db.collection('payments').insertOne({
      _id: `pay-${order._id}`,
      partition_key: 'shopper-0001',
      orderId: order._id,
      userId: 'shopper-0001',
      provider: 'dev',
      amount: 4999,
      currency: 'EUR',
      status: 'authorized',
      createdAt: new Date(),
    } as never);
    await eventually(async () => (await sam.get(url)).body.includes('Paid'), { what: 'the payment' });
    await a.db.collection('order_cancellations').insertOne({
      _id: `c_${order._id}`,
      partition_key: 'shopper-0001',
      orderId: order._id,
      userId: 'shopper-0001',
      requestedAt: new Date(),
    } as never);
    await eventually(async () => (await sam.get(url)).body.includes('You asked to cancel this order.'), {
      what: 'the cancellation',
    });
  });

  it('show a catalog edit in every kept page', async () => {
    const sam = await signedIn(a.app, 'shopper@example.com');
    await addToCart(sam, 'table-1', 1);
    await settle();
    await sam.get('/cart');
    expect((await sam.get('/cart')).body).toContain('Walnut Table');
    await a.db
      .collection<{ _id: string }>('products')
      .updateOne({ _id: 'table-1' }, { $set: { heading: 'Teak Table' } });
    await eventually(async () => (await sam.get('/cart')).body.includes('Teak Table'), {
      what: 'the renamed product in the cart',
    });
  });

  it('show a write through one instance on the next page of another that has not heard of it', async () => {
    const b = await createTestApp(stack, shared);
    try {
      const sam = await signedIn(a.app, 'shopper@example.com');
      await a.db.collection('carts').deleteMany({});
      await addToCart(sam, 'chair-1', 1);
      await settle();
      const onB = new Visitor(b.app, sam.cookie);
      const reads = countReads(b.app);
      await onB.get('/cart');
      expect(cartLines((await onB.get('/cart')).body)).toEqual({ 'chair-1': '1' });
      expect(reads.cart).toBe(1);
      // b's stream of cart changes goes quiet, as while it reconnects: only the cookie tells it.
      await b.app.cartChanges?.close();
      const before = sam.cookie;
      await addToCart(sam, 'chair-1', 4);

      const writer = await new Visitor(b.app, sam.cookie).get('/cart');
      expect(cartLines(writer.body)).toEqual({ 'chair-1': '5' });
      expect(rootDataOf(writer.body).cartCount).toBe(5);
      // What b kept is still there: the session from before the write gets it, the writer never does.
      expect(cartLines((await new Visitor(b.app, before).get('/cart')).body)).toEqual({ 'chair-1': '1' });
    } finally {
      await b.close();
    }
  });
});
