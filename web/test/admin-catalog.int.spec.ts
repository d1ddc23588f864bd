import { PRODUCTS } from '@az-shop/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUDIT } from '../src/admin/audit';
import { closeTestApp, csrfFor, getTestApp, loginAs, type TestApp } from './helper';

let testApp: TestApp;
let admin: { cookie: string; token: string };

beforeAll(async () => {
  testApp = await getTestApp();
  admin = await csrfFor(testApp.app, await loginAs(testApp.app, 'admin@example.com'));
});

afterAll(closeTestApp);

function adminApi(method: 'GET' | 'POST' | 'PUT', path: string, payload?: unknown) {
  return testApp.app.inject({
    method,
    url: `/api/admin/catalog${path}`,
    headers: { cookie: admin.cookie, 'x-csrf-token': admin.token },
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
}

const storefront = (url: string) => testApp.app.inject({ method: 'GET', url });

async function catalogSnapshot() {
  return testApp.db.collection(PRODUCTS).find({}).sort({ _id: 1 }).toArray();
}

describe('categories and products', () => {
  it('an admin creates a category and a product, which the storefront sells, and the audit log says who', async () => {
    const category = await adminApi('POST', '/categories', { id: 'kettles', heading: 'Kettles' });
    expect(category.statusCode).toBe(201);
    expect(category.json()).toMatchObject({ id: 'kettles', version: 1, archived: false });
    const product = await adminApi('POST', '/products', {
      id: 'copper-kettle',
      categoryId: 'kettles',
      heading: 'Copper kettle',
      description: 'Whistles.',
      priceAmount: 4900,
      position: 'highlight',
    });
    expect(product.statusCode).toBe(201);
    expect(product.json()).toMatchObject({ price: { amount: 4900, currency: 'EUR' }, version: 1 });

    const shown = await storefront('/api/products/copper-kettle');
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ heading: 'Copper kettle', price: { amount: 4900 } });
    expect((await storefront('/api/categories')).json()).toContainEqual({
      id: 'kettles',
      heading: 'Kettles',
    });

    const audit = await testApp.app.inject({
      method: 'GET',
      url: '/api/admin/audit',
      headers: { cookie: admin.cookie },
    });
    expect(audit.json()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'product.create',
          actor: expect.objectContaining({ sub: 'admin-0001', email: 'admin@example.com' }),
          target: { kind: 'product', id: 'copper-kettle' },
        }),
        expect.objectContaining({ action: 'category.create', target: { kind: 'category', id: 'kettles' } }),
      ]),
    );
  });

  it('an edit based on the current version is saved; one based on a stale copy is refused with the current values', async () => {
    await adminApi('POST', '/categories', { id: 'lamps-edit', heading: 'Lamps' });
    const create = await adminApi('POST', '/products', {
      id: 'desk-lamp',
      categoryId: 'lamps-edit',
      heading: 'Desk lamp',
      description: 'Bright.',
      priceAmount: 2500,
    });
    expect(create.statusCode).toBe(201);
    const edit = { heading: 'Desk lamp', description: 'Brighter.', priceAmount: 2700, position: 'normal' };
    const first = await adminApi('PUT', '/products/desk-lamp', { ...edit, version: 1 });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ version: 2, price: { amount: 2700 } });

    // A second admin still looking at version 1 saves: refused, nothing overwritten.
    const stale = await adminApi('PUT', '/products/desk-lamp', { ...edit, priceAmount: 1, version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      error: 'CONFLICT',
      details: { current: { version: 2, price: { amount: 2700 } } },
    });
    expect((await storefront('/api/products/desk-lamp')).json()).toMatchObject({ price: { amount: 2700 } });
  });

  it('archiving takes a product off the storefront; restoring brings it back', async () => {
    await adminApi('POST', '/categories', { id: 'vases', heading: 'Vases' });
    await adminApi('POST', '/products', {
      id: 'tall-vase',
      categoryId: 'vases',
      heading: 'Tall vase',
      description: '',
      priceAmount: 900,
    });
    expect((await adminApi('POST', '/categories/vases/archive', { version: 1 })).statusCode).toBe(409);

    expect((await adminApi('POST', '/products/tall-vase/archive', { version: 1 })).statusCode).toBe(204);
    expect((await storefront('/api/products/tall-vase')).statusCode).toBe(404);
    expect((await storefront('/products/tall-vase')).statusCode).toBe(404);
    const listed = (await storefront('/api/products?category=vases')).json() as { items: unknown[] };
    expect(listed.items).toEqual([]);
    expect((await adminApi('GET', '/products/tall-vase')).json()).toMatchObject({
      archived: true,
      version: 2,
    });

    expect((await adminApi('POST', '/categories/vases/archive', { version: 1 })).statusCode).toBe(204);
    expect((await storefront('/api/categories')).json()).not.toContainEqual(
      expect.objectContaining({ id: 'vases' }),
    );

    expect((await adminApi('POST', '/products/tall-vase/restore', { version: 2 })).statusCode).toBe(204);
    expect((await storefront('/api/products/tall-vase')).statusCode).toBe(200);
  });
});

describe('bad input', () => {
  it.each([
    [
      'an unknown product',
      'PUT',
      '/products/no-such-product',
      { heading: 'x', description: '', priceAmount: 1, version: 0 },
      404,
    ],
    ['an unknown category', 'GET', '/categories/no-such-category', undefined, 404],
    ['an operator object for a field', 'POST', '/categories', { id: 'op', heading: { $gt: '' } }, 400],
    [
      'an operator object for an id',
      'PUT',
      '/products/desk-lamp',
      { heading: 'x', description: '', priceAmount: 1, version: { $gte: 0 } },
      400,
    ],
    [
      'a price out of range',
      'POST',
      '/products',
      { id: 'big', categoryId: 'kettles', heading: 'Big', description: '', priceAmount: 1e12 },
      400,
    ],
    [
      'a negative price',
      'POST',
      '/products',
      { id: 'neg', categoryId: 'kettles', heading: 'Neg', description: '', priceAmount: -1 },
      400,
    ],
    ['an id that is not a slug', 'POST', '/categories', { id: '../etc', heading: 'x' }, 400],
    [
      'an unknown category for a product',
      'POST',
      '/products',
      { id: 'orphan', categoryId: 'nowhere', heading: 'x', description: '', priceAmount: 1 },
      400,
    ],
    ['a duplicate id', 'POST', '/categories', { id: 'kettles', heading: 'Again' }, 409],
    ['an edit without the version it is based on', 'PUT', '/categories/kettles', { heading: 'x' }, 400],
  ] as const)(
    '%s is refused (%s %s → %i) and stores nothing',
    async (_case, method, path, payload, status) => {
      const before = await catalogSnapshot();
      const auditBefore = await testApp.db.collection(ADMIN_AUDIT).countDocuments();
      const response = await adminApi(method, path, payload);
      expect(response.statusCode).toBe(status);
      expect(response.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
      expect(await catalogSnapshot()).toEqual(before);
      expect(await testApp.db.collection(ADMIN_AUDIT).countDocuments()).toBe(auditBefore);
    },
  );

  it('names the fields that are wrong, for the forms', async () => {
    const response = await adminApi('POST', '/products', {
      id: 'Bad Id',
      categoryId: 'kettles',
      heading: '',
      description: '',
      priceAmount: 'x',
    });
    expect(response.statusCode).toBe(400);
    const paths = (response.json() as { details: { path: string }[] }).details.map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['/id', '/heading', '/priceAmount']));
  });
});
