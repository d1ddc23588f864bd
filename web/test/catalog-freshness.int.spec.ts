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

/**
 * A catalog change shows on every web instance within 2 s although both caches keep reads for a
 * minute: the change stream on `products` empties them. Instance A takes the admin's edit; instance
 * B, on the same database, has the product and the home page cached.
 */
let stack: Stack;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  stack = await startStack();
  const shared = oneWebConfig(stack, { CATALOG_CACHE_SECONDS: '60', PAGE_CACHE_SECONDS: '60' });
  a = await createTestApp(stack, shared);
  b = await createTestApp(stack, shared);
  await seedProducts(a.db, [
    { _id: 'fresh-teapot', heading: 'Fresh teapot', amount: 3000, position: 'hero' },
  ]);
});

afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  await stack?.stop();
});

async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

describe('the storefront follows the catalog', () => {
  it('shows an edit made on another instance within 2 s, in catalog reads and in shared pages', async () => {
    const product = () => b.app.inject({ method: 'GET', url: '/api/products/fresh-teapot' });
    const home = () => b.app.inject({ method: 'GET', url: '/' });
    expect((await product()).json()).toMatchObject({ price: { amount: 3000 } });
    expect((await home()).body).toContain('€30.00');
    // The shared copy is rendered beside the first visitor's page: wait until it serves.
    await until(async () => (await home()).body.includes('€30.00'), 2000);

    const admin = await csrfFor(a.app, await loginAs(a.app, 'admin@example.com'));
    const edit = await a.app.inject({
      method: 'PUT',
      url: '/api/admin/catalog/products/fresh-teapot',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.token },
      payload: {
        heading: 'Fresh teapot',
        description: 'New price',
        priceAmount: 3500,
        position: 'hero',
        version: 0,
      },
    });
    expect(edit.statusCode).toBe(200);

    await until(
      async () => ((await product()).json() as { price: { amount: number } }).price.amount === 3500,
      2000,
    );
    await until(async () => (await home()).body.includes('€35.00'), 2000);
  });

  it('takes an archived product off shared pages within 2 s', async () => {
    const page = () => b.app.inject({ method: 'GET', url: '/products/fresh-teapot' });
    expect((await page()).statusCode).toBe(200);
    await a.db
      .collection('products')
      .updateOne({ _id: 'fresh-teapot' as never }, { $set: { archivedAt: new Date() } });
    await until(async () => (await page()).statusCode === 404, 2000);
  });
});
