import {
  FULFILMENTS,
  ORDER_CANCELLATIONS,
  PARKED_EVENTS,
  PRODUCTION_REQUESTS,
  PRODUCTS,
  parkEvent,
} from '@az-shop/common';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestApp, csrfFor, getTestApp, loginAs, seedProducts, type TestApp } from './helper';
import { placeOrder, Shopper } from './shopper';
import { hiddenField } from './visitor';

/**
 * The back office's pages, as a browser without JavaScript uses them: rendered on the server,
 * forms posted back with the CSRF field, field messages, 409 with the current values, the audit page.
 */
let testApp: TestApp;
let admin: { cookie: string; token: string };

beforeAll(async () => {
  testApp = await getTestApp();
  admin = await csrfFor(testApp.app, await loginAs(testApp.app, 'admin@example.com'));
});

afterAll(closeTestApp);

const page = (url: string, cookie = admin.cookie) =>
  testApp.app.inject({ method: 'GET', url, headers: { cookie, accept: 'text/html' } });

/** Posts a page's form as a browser does: urlencoded, with the `_csrf` field of the page it came from. */
async function postForm(url: string, fields: Record<string, string>) {
  const form = await page(url);
  expect(form.statusCode, `GET ${url}`).toBe(200);
  // A page that shows no form now (the request it offered is pending) still takes the session's token.
  const csrf = form.body.includes('name="_csrf"') ? hiddenField(form.body, '_csrf') : admin.token;
  return testApp.app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: admin.cookie,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
    },
    payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
}

const product = (id: string) => testApp.db.collection(PRODUCTS).findOne({ _id: id as never });

describe('back-office pages', () => {
  it('render in their own layout with the side navigation, for an admin only', async () => {
    const catalog = await page('/admin/catalog');
    expect(catalog.statusCode).toBe(200);
    expect(catalog.body).toContain('aria-label="Back office"');
    expect(catalog.body).toContain('href="/admin/audit"');
    expect(catalog.body).toContain('data-testid="products-table"');
    expect(catalog.body).not.toContain('class="site-header"');
    expect((await page('/admin')).headers.location).toBe('/admin/catalog');

    const signedOut = await testApp.app.inject({ method: 'GET', url: '/admin/catalog?x=1' });
    expect(signedOut.statusCode).toBe(302);
    expect(signedOut.headers.location).toBe(
      `/auth/login?returnTo=${encodeURIComponent('/admin/catalog?x=1')}`,
    );
    const shopper = await page('/admin/catalog', await loginAs(testApp.app, 'shopper@example.com'));
    expect(shopper.statusCode).toBe(403);
    expect(shopper.body).toContain('admin role');
    expect((await page('/admin/nothing-here')).statusCode).toBe(404);
    expect((await page('/admin/catalog/products/no-such-product')).statusCode).toBe(404);
  });

  it('create a category and a product with forms, showing field messages for what is wrong', async () => {
    const refused = await postForm('/admin/catalog/categories/new', { id: 'Bad Id', heading: '' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Lower-case letters, digits and single dashes');
    expect(refused.body).toContain('aria-invalid="true"');

    const created = await postForm('/admin/catalog/categories/new', {
      id: 'pages-kettles',
      heading: 'Kettles',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/admin/catalog');

    const badPrice = await postForm('/admin/catalog/products/new', {
      id: 'pages-kettle',
      categoryId: 'pages-kettles',
      heading: 'Kettle',
      description: 'Whistles.',
      price: '49.999',
      currency: 'EUR',
      position: 'normal',
    });
    expect(badPrice.statusCode).toBe(400);
    expect(badPrice.body).toContain('A price such as 49 or 49.90');
    expect(await product('pages-kettle')).toBeNull();

    const made = await postForm('/admin/catalog/products/new', {
      id: 'pages-kettle',
      categoryId: 'pages-kettles',
      heading: 'Kettle',
      description: 'Whistles.',
      price: '49.90',
      currency: 'EUR',
      position: 'highlight',
    });
    expect(made.statusCode).toBe(303);
    expect(await product('pages-kettle')).toMatchObject({
      price: { amount: 4990, currency: 'EUR' },
      version: 1,
    });
    expect((await page('/admin/catalog')).body).toContain('pages-kettle');
  });

  it('an edit based on a stale copy is refused with 409 and the form shows the current values', async () => {
    const url = '/admin/catalog/products/pages-kettle';
    const fields = { heading: 'Kettle', description: 'Whistles.', currency: 'EUR', position: 'normal' };
    const saved = await postForm(url, { ...fields, price: '45.00', version: '1' });
    expect(saved.statusCode).toBe(303);
    const stale = await postForm(url, { ...fields, heading: 'Old copy', price: '40.00', version: '1' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('changed by someone else');
    expect(stale.body).toContain('value="45.00"');
    expect(hiddenField(stale.body, 'version')).toBe('2');
    expect(await product('pages-kettle')).toMatchObject({ heading: 'Kettle', price: { amount: 4500 } });
  });

  it('archives and restores from the catalog list, and the audit page says who did what', async () => {
    const archived = await postForm('/admin/catalog', {
      intent: 'archive',
      kind: 'product',
      id: 'pages-kettle',
      version: '2',
    });
    expect(archived.statusCode).toBe(200);
    expect(archived.body).toContain('Product archived.');
    expect((await testApp.app.inject({ method: 'GET', url: '/api/products/pages-kettle' })).statusCode).toBe(
      404,
    );
    const stale = await postForm('/admin/catalog', {
      intent: 'restore',
      kind: 'product',
      id: 'pages-kettle',
      version: '2',
    });
    expect(stale.statusCode).toBe(409);
    const restored = await postForm('/admin/catalog', {
      intent: 'restore',
      kind: 'product',
      id: 'pages-kettle',
      version: '3',
    });
    expect(restored.statusCode).toBe(200);
    expect((await testApp.app.inject({ method: 'GET', url: '/api/products/pages-kettle' })).statusCode).toBe(
      200,
    );

    const audit = await page('/admin/audit');
    expect(audit.statusCode).toBe(200);
    for (const action of [
      'category.create',
      'product.create',
      'product.edit',
      'product.archive',
      'product.restore',
    ])
      expect(audit.body).toContain(action);
    expect(audit.body).toContain('admin@example.com');
  });

  it('operations: the processors and a parked event, which an admin asks to replay once', async () => {
    const id = await parkEvent(testApp.db, {
      processor: 'pages.test',
      partitionKey: 'k1',
      bucket: 3,
      event: {
        operationType: 'insert',
        documentKey: { _id: 'd1' },
        fullDocument: { _id: 'd1' },
        token: undefined,
        source: 'stream',
      },
      error: new Error('the handler fell over'),
      attempts: 5,
    });
    const operations = await page('/admin/operations');
    expect(operations.statusCode).toBe(200);
    expect(operations.body).toContain('data-testid="processors-table"');
    expect(operations.body).toContain('the handler fell over');

    const asked = await postForm('/admin/operations', { intent: 'replay', id: id.toHexString() });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Replay requested');
    expect(
      await testApp.db.collection('parked_event_requests').countDocuments({ parkedId: id.toHexString() }),
    ).toBe(1);
    const again = await postForm('/admin/operations', { intent: 'discard', id: id.toHexString() });
    expect(again.statusCode).toBe(409);
    // Web asked; the event itself is the processor's to change.
    expect(await testApp.db.collection(PARKED_EVENTS).findOne({ _id: id })).toMatchObject({
      status: 'parked',
    });
  });

  it('production: asks the factory for units with a form (1 to 1,000), lists and cancels the request', async () => {
    const refused = await postForm('/admin/production', {
      intent: 'request',
      productId: 'pages-kettle',
      qty: '0',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('A whole number from 1 to 1000');
    expect(
      await testApp.db.collection(PRODUCTION_REQUESTS).countDocuments({ productId: 'pages-kettle' }),
    ).toBe(0);

    const asked = await postForm('/admin/production', {
      intent: 'request',
      productId: 'pages-kettle',
      qty: '3',
    });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Asked the factory for 3 × pages-kettle');
    const request = await testApp.db.collection(PRODUCTION_REQUESTS).findOne({ productId: 'pages-kettle' });
    expect(request).toMatchObject({ qty: 3, requestedBy: 'admin@example.com' });
    expect((await page('/admin/production')).body).toContain('data-testid="production-table"');

    const cancelled = await postForm('/admin/production', { intent: 'cancel', id: String(request!._id) });
    expect(cancelled.statusCode).toBe(200);
    expect(await testApp.db.collection(PRODUCTION_REQUESTS).findOne({ _id: request!._id })).toHaveProperty(
      'cancelRequestedAt',
    );
  });

  it('factory: the board in columns by stage, with capacity and the hourly chart', async () => {
    const factory = await page('/admin/factory');
    expect(factory.statusCode).toBe(200);
    for (const testId of ['factory-board', 'column-Building', 'capacity', 'hour-chart'])
      expect(factory.body).toContain(`data-testid="${testId}"`);
    expect(factory.body).toMatch(/Building <!-- -->0<!-- --> of <!-- -->\d+/);
  });

  it('orders: the board, an order of any user with its detail, cancelled by an admin who is named', async () => {
    await seedProducts(testApp.db, [{ _id: 'pages-chair', heading: 'Pages chair', amount: 2500 }]);
    const shopper = await Shopper.signedIn(testApp.app, 'shopper@example.com');
    const orderId = await placeOrder(shopper, { 'pages-chair': 1 });
    const userId = String((await testApp.db.collection('orders').findOne({ _id: orderId as never }))?.userId);
    const placedAt = new Date();
    // Ordering does not run in web's tests: its fulfilment, as it would write it.
    await testApp.db.collection<{ _id: string } & Document>(FULFILMENTS).insertOne({
      _id: orderId,
      partition_key: userId,
      orderId,
      userId,
      warehouse: 'main',
      stage: 'Reserved',
      lines: [{ productId: 'pages-chair', qty: 1, held: true }],
      shortLines: [],
      total: 2500,
      currency: 'EUR',
      placedAt,
      payBy: new Date(placedAt.getTime() + 15 * 60_000),
      paid: false,
      refundsDue: [],
      history: [
        { stage: 'Placed', at: placedAt },
        { stage: 'Reserved', at: placedAt },
      ],
      version: 2,
    });

    const board = await page('/admin/orders');
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('data-testid="column-Reserved"');
    expect(board.body).toContain(`/admin/orders/${orderId}`);
    expect(board.body).toContain('Oldest unpaid hold');

    const detail = await page(`/admin/orders/${orderId}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('Pages chair');
    expect(detail.body).toContain('Cancel this order');
    const cancelled = await postForm(`/admin/orders/${orderId}`, {});
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.body).toContain('Cancellation asked');
    expect(await testApp.db.collection(ORDER_CANCELLATIONS).findOne({ orderId })).toMatchObject({
      requestedBy: { by: 'admin', email: 'admin@example.com' },
    });
    expect((await postForm(`/admin/orders/${orderId}`, {})).statusCode).toBe(409);
    expect((await page('/admin/orders/no-such-order')).statusCode).toBe(404);
  });

  it('stock: per product on hand, held, available, backordered, in production, and a chart', async () => {
    const stock = await page('/admin/stock?product=pages-chair');
    expect(stock.statusCode).toBe(200);
    expect(stock.body).toContain('data-testid="stock-table"');
    expect(stock.body).toContain('Pages chair');
    expect(stock.body).toMatch(/Available units of (<!-- -->)?pages-chair/);
    expect(stock.body).toContain('data-testid="stock-chart"');
  });

  it('refuses a form without its CSRF field', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/admin/catalog/categories/new',
      headers: {
        cookie: admin.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
      },
      payload: 'id=no-csrf&heading=No',
    });
    expect(response.statusCode).toBe(403);
    expect(await testApp.db.collection(PRODUCTS).findOne({ _id: 'no-csrf' as never })).toBeNull();
  });
});
