import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestApp, getTestApp, seedProducts, type TestApp } from './helper';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await getTestApp();
  await seedProducts(
    testApp.db,
    Array.from({ length: 5 }, (_, i) => ({
      _id: `p-${i}`,
      heading: `Product ${i}`,
      category: i < 3 ? 'small' : 'large',
      position: i === 4 ? ('hero' as const) : ('normal' as const),
    })),
  );
  // A category document shares the collection and must never show up as a product.
  await testApp.db.collection<{ _id: string; [field: string]: unknown }>('products').insertOne({
    _id: 'small',
    partition_key: 'small',
    kind: 'category',
    heading: 'Small things',
  });
});

afterAll(closeTestApp);

describe('GET /api/products', () => {
  it('answers { items, total } with featured products first', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/products' });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { items: { id: string; price: unknown }[]; total: number };
    expect(body.total).toBe(5);
    expect(body.items.map((item) => item.id)).toEqual(['p-4', 'p-0', 'p-1', 'p-2', 'p-3']);
    expect(body.items[0]).toEqual({
      id: 'p-4',
      category: 'large',
      heading: 'Product 4',
      description: 'About Product 4',
      price: { amount: 1999, currency: 'EUR' },
      position: 'hero',
    });
  });

  it('pages with limit and offset, and filters by category', async () => {
    const page = await testApp.app.inject({ method: 'GET', url: '/api/products?limit=2&offset=1' });
    expect(page.json()).toMatchObject({ total: 5, items: [{ id: 'p-0' }, { id: 'p-1' }] });
    const small = await testApp.app.inject({ method: 'GET', url: '/api/products?category=small' });
    expect(small.json()).toMatchObject({ total: 3 });
  });

  it.each([
    ['limit=abc', '/limit'],
    ['limit=0', '/limit'],
    ['limit=101', '/limit'],
    ['offset=-1', '/offset'],
  ])('rejects %s with 400 { error, message, details }', async (query, path) => {
    const response = await testApp.app.inject({ method: 'GET', url: `/api/products?${query}` });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { error: string; message: string; details: { path: string }[] };
    expect(body.error).toBe('VALIDATION_FAILED');
    expect(body.message).toMatch(/^querystring\//);
    expect(body.details[0]?.path).toBe(path);
  });

  it('drops unknown query parameters (Fastify removes what the schema does not allow)', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/products?sort=price&limit=1' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ total: 5, items: [{ id: 'p-4' }] });
  });
});

describe('GET /api/products/:id', () => {
  it('answers one product', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/products/p-2' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: 'p-2', heading: 'Product 2' });
  });

  it('answers 404 JSON for an unknown product or a category id', async () => {
    for (const id of ['nope', 'small']) {
      const response = await testApp.app.inject({ method: 'GET', url: `/api/products/${id}` });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'NOT_FOUND', message: 'Product not found' });
    }
  });
});

describe('GET /api/session', () => {
  it('answers a signed-out session with a CSRF token', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/session' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: null, csrfToken: expect.any(String) });
  });
});

describe('unknown routes', () => {
  it('answer the JSON 404 of the shared error handler', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'NOT_FOUND' });
  });
});
