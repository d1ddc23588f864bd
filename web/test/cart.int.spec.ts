import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeTestApp, getTestApp, seedProducts, type TestApp } from './helper';
import { clearCarts, Shopper } from './shopper';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await getTestApp();
  await seedProducts(testApp.db, [
    { _id: 'chair', heading: 'Oak Chair', category: 'chairs', amount: 4999, imagePath: 'products/chair.png' },
    { _id: 'stool', heading: 'Pine Stool', category: 'chairs', amount: 1500 },
  ]);
  await testApp.db.collection('products').insertMany([
    {
      _id: 'chairs',
      partition_key: 'chairs',
      kind: 'category',
      heading: 'Chairs',
      description: 'Sit down',
      position: 2,
    },
    { _id: 'tables', partition_key: 'tables', kind: 'category', heading: 'Tables', position: 1 },
  ] as object[]);
});

beforeEach(() => clearCarts(testApp.db));

afterAll(closeTestApp);

describe('GET /api/categories', () => {
  it('lists the categories by position, never products', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/categories' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { id: 'tables', heading: 'Tables' },
      { id: 'chairs', heading: 'Chairs', description: 'Sit down' },
    ]);
  });
});

describe('GET /api/products/:id/availability', () => {
  it('sums what is available over the warehouses, 0 without stock, 404 for an unknown product', async () => {
    await testApp.db.collection('stock').insertMany([
      { _id: 'main:chair', partition_key: 'chair', productId: 'chair', warehouse: 'main', available: 3 },
      { _id: 'north:chair', partition_key: 'chair', productId: 'chair', warehouse: 'north', available: 4 },
    ] as object[]);
    const chair = await testApp.app.inject({ method: 'GET', url: '/api/products/chair/availability' });
    expect(chair.json()).toEqual({ productId: 'chair', available: 7 });
    const stool = await testApp.app.inject({ method: 'GET', url: '/api/products/stool/availability' });
    expect(stool.json()).toEqual({ productId: 'stool', available: 0 });
    const unknown = await testApp.app.inject({ method: 'GET', url: '/api/products/nope/availability' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('the cart, signed out', () => {
  it('starts empty without creating anything', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/cart' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ lines: [], count: 0, total: 0, currency: 'EUR' });
    expect(await testApp.db.collection('carts').countDocuments()).toBe(0);
  });

  it('adds, sets and removes lines, priced from the catalog', async () => {
    const shopper = await Shopper.anonymous(testApp.app);
    const added = await shopper.request('POST', '/api/cart/lines', { productId: 'chair', qty: 2 });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toEqual({
      lines: [
        {
          productId: 'chair',
          heading: 'Oak Chair',
          imagePath: 'products/chair.png',
          qty: 2,
          unitPrice: 4999,
          lineTotal: 9998,
        },
      ],
      count: 2,
      total: 9998,
      currency: 'EUR',
    });
    await shopper.request('POST', '/api/cart/lines', { productId: 'stool', qty: 1 });
    await shopper.request('POST', '/api/cart/lines', { productId: 'chair', qty: 1 });
    const set = await shopper.request('PUT', '/api/cart/lines/stool', { qty: 4 });
    expect(set.json()).toMatchObject({ count: 7, total: 3 * 4999 + 4 * 1500 });
    const removed = await shopper.request('DELETE', '/api/cart/lines/chair');
    expect(removed.json()).toMatchObject({ lines: [{ productId: 'stool', qty: 4 }], count: 4 });
    const zero = await shopper.request('PUT', '/api/cart/lines/stool', { qty: 0 });
    expect(zero.json()).toMatchObject({ lines: [], count: 0 });
    // The cart is the session's: the same cookie reads it back, another visitor does not see it.
    await shopper.request('POST', '/api/cart/lines', { productId: 'chair', qty: 1 });
    expect((await shopper.request('GET', '/api/cart')).json()).toMatchObject({ count: 1 });
    const other = await Shopper.anonymous(testApp.app);
    expect((await other.request('GET', '/api/cart')).json()).toMatchObject({ count: 0 });
  });

  it('caps a line at 1000', async () => {
    const shopper = await Shopper.anonymous(testApp.app);
    await shopper.request('POST', '/api/cart/lines', { productId: 'chair', qty: 900 });
    const capped = await shopper.request('POST', '/api/cart/lines', { productId: 'chair', qty: 900 });
    expect(capped.json()).toMatchObject({ lines: [{ qty: 1000 }] });
  });
});

describe('bad cart requests', () => {
  it('answers 404 for an unknown product (or a category id)', async () => {
    const shopper = await Shopper.anonymous(testApp.app);
    for (const productId of ['nope', 'chairs']) {
      const response = await shopper.request('POST', '/api/cart/lines', { productId, qty: 1 });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'NOT_FOUND', message: 'Product not found' });
    }
  });

  it.each([
    [{ productId: 'chair', qty: 0 }, '/qty'],
    [{ productId: 'chair', qty: 1001 }, '/qty'],
    [{ productId: 'chair', qty: 1.5 }, '/qty'],
    [{ productId: 'chair' }, ''],
    [{ productId: { $gt: '' }, qty: 1 }, '/productId'],
    [{ productId: 'a'.repeat(101), qty: 1 }, '/productId'],
  ])('rejects %j with 400', async (body, path) => {
    const shopper = await Shopper.anonymous(testApp.app);
    const response = await shopper.request('POST', '/api/cart/lines', body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ path }] });
    expect(await testApp.db.collection('carts').countDocuments()).toBe(0);
  });

  it('rejects a quantity out of range on PUT', async () => {
    const shopper = await Shopper.anonymous(testApp.app);
    for (const qty of [-1, 1001, '$inc']) {
      const response = await shopper.request('PUT', '/api/cart/lines/chair', { qty });
      expect(response.statusCode).toBe(400);
    }
  });

  it('ignores operator-looking query parameters (they are not in the schema)', async () => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/products?category[$ne]=x&$where=1',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ total: 2 });
  });

  it('refuses writes without the CSRF token or with another session’s (403)', async () => {
    const shopper = await Shopper.anonymous(testApp.app);
    const other = await Shopper.anonymous(testApp.app);
    const missing = await shopper.request(
      'POST',
      '/api/cart/lines',
      { productId: 'chair', qty: 1 },
      { csrf: false },
    );
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ error: expect.stringMatching(/CSRF/) });
    const wrong = await shopper.request('PUT', '/api/cart/lines/chair', { qty: 1 }, { csrf: other.token });
    expect(wrong.statusCode).toBe(403);
    const noSession = await testApp.app.inject({
      method: 'DELETE',
      url: '/api/cart/lines/chair',
      headers: { 'x-csrf-token': shopper.token },
    });
    expect(noSession.statusCode).toBe(403);
    expect(await testApp.db.collection('carts').countDocuments()).toBe(0);
  });
});

describe('sign-in', () => {
  it('merges the anonymous cart into the user’s and drops the anonymous one', async () => {
    const before = await Shopper.signedIn(testApp.app, 'shopper@example.com');
    await before.request('POST', '/api/cart/lines', { productId: 'chair', qty: 1 });

    const visitor = await Shopper.anonymous(testApp.app);
    await visitor.request('POST', '/api/cart/lines', { productId: 'chair', qty: 2 });
    await visitor.request('POST', '/api/cart/lines', { productId: 'stool', qty: 1 });
    expect(await testApp.db.collection('carts').countDocuments({ _id: { $regex: '^anon:' } } as object)).toBe(
      1,
    );

    await visitor.signIn('shopper@example.com');
    const cart = await visitor.request('GET', '/api/cart');
    expect(cart.json()).toMatchObject({
      lines: [
        { productId: 'chair', qty: 3 },
        { productId: 'stool', qty: 1 },
      ],
      count: 4,
    });
    expect(await testApp.db.collection('carts').countDocuments({ _id: { $regex: '^anon:' } } as object)).toBe(
      0,
    );
    const session = await visitor.request('GET', '/api/session');
    expect(session.json()).toMatchObject({ user: { sub: 'shopper-0001' } });
  });
});
