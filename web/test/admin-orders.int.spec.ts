import type { AddressInfo } from 'node:net';
import {
  FULFILMENTS,
  type FulfilmentDocument,
  type FulfilmentStage,
  ORDER_CANCELLATIONS,
  OrderCancellationDocument,
  STOCK,
  validateDocument,
  WORK_ITEMS,
} from '@az-shop/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUDIT } from '../src/admin/audit';
import { STOCK_SAMPLES } from '../src/admin/stock-service';
import { createTestApp, type Stack, seedProducts, startStack, type TestApp } from './helper';
import { payWithDevCard, placeOrder, Shopper } from './shopper';
import { EventReader, get } from './sse';

let stack: Stack;
let testApp: TestApp;
let base: string;
let admin: Shopper;
let sam: Shopper;

beforeAll(async () => {
  stack = await startStack();
  testApp = await createTestApp(stack, { BOARD_REFRESH_MS: '200', PICKING_CAPACITY: '4' });
  await seedProducts(testApp.db, [
    { _id: 'chair', heading: 'Oak Chair', amount: 4999 },
    { _id: 'stool', heading: 'Pine Stool', amount: 1999 },
  ]);
  // Event streams need a real socket: inject() waits for the end of a response that never ends.
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
  admin = await Shopper.signedIn(testApp.app, 'admin@example.com');
  sam = await Shopper.signedIn(testApp.app, 'shopper@example.com');
});

afterAll(async () => {
  await testApp?.close();
  await stack?.stop();
});

const fulfilments = () => testApp.db.collection<FulfilmentDocument>(FULFILMENTS);

/** Another service's document, written here as that service would. */
type Loose = { _id: string; [field: string]: unknown };

let made = 0;
/** A fulfilment as ordering writes it (ordering does not run in web's tests). */
function fulfilment(stage: FulfilmentStage, overrides: Partial<FulfilmentDocument> = {}): FulfilmentDocument {
  made++;
  const placedAt = new Date(Date.now() - 60_000 + made);
  const id = overrides._id ?? `o_board${made}`;
  return {
    _id: id,
    partition_key: 'shopper-0001',
    orderId: id,
    userId: 'shopper-0001',
    warehouse: 'main',
    stage,
    lines: [{ productId: 'chair', qty: 2, held: stage !== 'Placed' }],
    shortLines: [],
    total: 9998,
    currency: 'EUR',
    placedAt,
    payBy: new Date(placedAt.getTime() + 15 * 60_000),
    paid: false,
    refundsDue: [],
    history: [{ stage: 'Placed', at: placedAt }],
    version: 1,
    ...overrides,
  };
}

describe('GET /api/admin/orders/board', () => {
  it('counts orders per stage, shows the newest 50 of a column, picking capacity in use and the oldest unpaid hold', async () => {
    await fulfilments().deleteMany({});
    const oldest = fulfilment('Reserved', { placedAt: new Date(Date.now() - 10 * 60_000) });
    oldest.payBy = new Date(oldest.placedAt.getTime() + 15 * 60_000);
    await fulfilments().insertMany([
      oldest,
      fulfilment('Reserved', { paid: true }),
      fulfilment('Picking', { paid: true }),
      fulfilment('Picking', { paid: true }),
      fulfilment('Placed'),
      ...Array.from({ length: 55 }, () => fulfilment('Delivered', { paid: true })),
    ]);

    const response = await admin.request('GET', '/api/admin/orders/board');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const board = response.json() as {
      columns: { stage: string; total: number; cards: { orderId: string; placedAt: string }[] }[];
      picking: unknown;
      oldestUnpaidHold: { orderId: string; heldUnits: number } | null;
    };
    const column = (stage: string) => board.columns.find((candidate) => candidate.stage === stage);
    expect(board.columns.map((candidate) => candidate.stage)).toEqual([
      'Placed',
      'Reserved',
      'Backordered',
      'Picking',
      'Shipped',
      'Delivered',
      'Cancelled',
      'Expired',
      'Failed',
    ]);
    expect(column('Reserved')?.total).toBe(2);
    expect(column('Backordered')).toEqual({ stage: 'Backordered', total: 0, cards: [] });
    const delivered = column('Delivered');
    expect(delivered?.total).toBe(55);
    expect(delivered?.cards).toHaveLength(50);
    const times = delivered?.cards.map((card) => card.placedAt) ?? [];
    expect(times).toEqual([...times].sort().reverse()); // newest first
    expect(board.picking).toEqual({ inUse: 2, capacity: 4 });
    expect(board.oldestUnpaidHold).toMatchObject({ orderId: oldest._id, heldUnits: 2 });
  });

  it('refuses a query it does not know (400)', async () => {
    const response = await admin.request('GET', '/api/admin/orders/board?stage[$ne]=x');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
  });
});

describe('GET /api/admin/orders/events', () => {
  it('sends the board, then each fulfilment change at once and the board again shortly after', async () => {
    await fulfilments().deleteMany({});
    const watched = fulfilment('Reserved');
    await fulfilments().insertOne(watched);

    const response = await get(`${base}/api/admin/orders/events`, {
      accept: 'text/event-stream',
      cookie: admin.cookie,
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const events = new EventReader(response);
    const first = await events.next();
    expect(first.event).toBe('board');
    expect(first.data).toMatchObject({
      columns: expect.arrayContaining([
        { stage: 'Reserved', total: 1, cards: [expect.objectContaining({ orderId: watched._id })] },
      ]),
    });

    await fulfilments().updateOne(
      { _id: watched._id },
      {
        $set: { stage: 'Picking', paid: true, version: 2 },
        $push: { history: { stage: 'Picking', at: new Date() } },
      },
    );
    expect(await events.next((event) => event.event === 'change')).toMatchObject({
      data: { orderId: watched._id, stage: 'Picking', card: { paid: true, version: 2 } },
    });
    const board = await events.next((event) => event.event === 'board');
    expect(board.data).toMatchObject({
      picking: { inUse: 1, capacity: 4 },
      columns: expect.arrayContaining([expect.objectContaining({ stage: 'Reserved', total: 0 })]),
    });
    events.cancel();
  });

  it('is 401 signed out and 403 for a shopper, before any stream starts', async () => {
    const signedOut = await get(`${base}/api/admin/orders/events`);
    expect(signedOut.status).toBe(401);
    expect(await signedOut.json()).toMatchObject({ error: 'UNAUTHORIZED' });
    const shopper = await get(`${base}/api/admin/orders/events`, { cookie: sam.cookie });
    expect(shopper.status).toBe(403);
    expect(await shopper.json()).toMatchObject({ error: 'FORBIDDEN' });
  });
});

describe('GET /api/admin/orders/:id', () => {
  it("shows any user's order: lines, payments, timeline and refunds due", async () => {
    const orderId = await placeOrder(sam, { chair: 1 });
    const { paymentId } = await payWithDevCard(sam, orderId);
    const placedAt = new Date();
    await fulfilments().insertOne(
      fulfilment('Cancelled', {
        _id: orderId,
        orderId,
        paid: true,
        paymentId,
        lines: [{ productId: 'chair', qty: 1, held: true }],
        refundsDue: [
          { paymentId, amount: 4999, currency: 'EUR', reason: 'the order was cancelled', at: placedAt },
        ],
        history: [
          { stage: 'Placed', at: placedAt },
          { stage: 'Reserved', at: placedAt },
          { stage: 'Cancelled', at: placedAt },
        ],
      }),
    );
    const response = await admin.request('GET', `/api/admin/orders/${orderId}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: orderId,
      userId: 'shopper-0001',
      stage: 'Cancelled',
      lines: [{ productId: 'chair', heading: 'Oak Chair', qty: 1, unitPrice: 4999, held: true }],
      payments: [{ id: paymentId, status: 'authorized', amount: 4999 }],
      timeline: [{ stage: 'Placed' }, { stage: 'Reserved' }, { stage: 'Cancelled' }],
      refundsDue: [{ paymentId, amount: 4999, reason: 'the order was cancelled' }],
      cancellation: null,
      cancellable: false,
      // Without the dev-only span store (as in production) there is no trace to offer.
      traced: false,
    });
  });

  it('is 404 for an unknown order and 400 for an id that is no order id', async () => {
    const unknown = await admin.request('GET', '/api/admin/orders/o_unknown');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'NOT_FOUND' });
    const bad = await admin.request('GET', `/api/admin/orders/${encodeURIComponent('{"$ne":1}')}`);
    expect(bad.statusCode).toBe(400);
  });
});

describe('POST /api/admin/orders/:id/cancel', () => {
  it("asks ordering to cancel a shopper's order as its own user would, naming the admin, and audits it", async () => {
    const orderId = await placeOrder(sam, { chair: 1 });
    await fulfilments().insertOne(fulfilment('Reserved', { _id: orderId, orderId }));

    const response = await admin.request('POST', `/api/admin/orders/${orderId}/cancel`, {
      reason: 'asked by phone',
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ cancellationId: `c_${orderId}` });

    const written = await testApp.db
      .collection(ORDER_CANCELLATIONS)
      .findOne({ _id: `c_${orderId}` as never });
    expect(written).toMatchObject({
      orderId,
      userId: 'shopper-0001',
      partition_key: 'shopper-0001',
      reason: 'asked by phone',
      requestedBy: { by: 'admin', sub: 'admin-0001', email: 'admin@example.com' },
    });
    // What ordering checks before acting on it.
    expect(validateDocument(OrderCancellationDocument, written)).toMatchObject({ ok: true });

    const audit = await testApp.db
      .collection(ADMIN_AUDIT)
      .findOne({ action: 'order.cancel', 'target.id': orderId });
    expect(audit).toMatchObject({ actor: { sub: 'admin-0001' }, target: { kind: 'order', id: orderId } });

    const detail = await admin.request('GET', `/api/admin/orders/${orderId}`);
    expect(detail.json()).toMatchObject({
      cancellation: { requestedBy: { by: 'admin', sub: 'admin-0001' } },
      cancellable: false,
    });

    // Asked already: by the admin again, or by the shopper's own request before.
    const again = await admin.request('POST', `/api/admin/orders/${orderId}/cancel`);
    expect(again.statusCode).toBe(409);
    const asked = await placeOrder(sam, { chair: 1 });
    expect((await sam.request('POST', `/api/orders/${asked}/cancellation`)).statusCode).toBe(202);
    expect((await admin.request('POST', `/api/admin/orders/${asked}/cancel`)).statusCode).toBe(409);
  });

  it('is 409 once the order has shipped or ended, 404 for an unknown order, and 403 without a CSRF token', async () => {
    const orderId = await placeOrder(sam, { chair: 1 });
    await fulfilments().insertOne(fulfilment('Shipped', { _id: orderId, orderId, paid: true }));
    const shipped = await admin.request('POST', `/api/admin/orders/${orderId}/cancel`);
    expect(shipped.statusCode).toBe(409);
    expect(shipped.json()).toMatchObject({ error: 'CONFLICT' });

    expect((await admin.request('POST', '/api/admin/orders/o_unknown/cancel')).statusCode).toBe(404);
    const open0 = await placeOrder(sam, { chair: 1 });
    for (const body of [{ reason: '' }, { reason: 'x'.repeat(501) }, { why: 'x' }, { reason: { $ne: 1 } }]) {
      const refused = await admin.request('POST', `/api/admin/orders/${open0}/cancel`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
    }
    const open = await placeOrder(sam, { chair: 1 });
    const noToken = await admin.request('POST', `/api/admin/orders/${open}/cancel`, undefined, {
      csrf: false,
    });
    expect(noToken.statusCode).toBe(403);
    const shopper = await sam.request('POST', `/api/admin/orders/${open}/cancel`);
    expect(shopper.statusCode).toBe(403);
    expect(await testApp.db.collection(ORDER_CANCELLATIONS).countDocuments({ orderId: open })).toBe(0);
  });
});

describe('GET /api/admin/stock', () => {
  it('shows per product on hand, held, available, backordered demand and in production', async () => {
    const since = new Date();
    await testApp.db.collection<Loose>(STOCK).insertOne({
      _id: 'main:stool',
      partition_key: 'stool',
      productId: 'stool',
      warehouse: 'main',
      onHand: 6,
      reserved: 4,
      available: 2,
      shipped: 0,
      holds: [{ fulfilmentId: 'o_x', qty: 4 }],
      waiting: [{ fulfilmentId: 'o_y', qty: 3, since }],
      toNotify: [],
      appliedOutputs: [],
      version: 1,
    });
    await testApp.db.collection<Loose>(WORK_ITEMS).insertMany([
      { _id: 'w1', partition_key: 'stool', productId: 'stool', warehouse: 'main', qty: 3, stage: 'Building' },
      {
        _id: 'w2',
        partition_key: 'stool',
        productId: 'stool',
        warehouse: 'main',
        qty: 5,
        stage: 'InventoryAvailable',
      },
    ]);
    const response = await admin.request('GET', '/api/admin/stock');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(
      expect.arrayContaining([
        {
          productId: 'stool',
          heading: 'Pine Stool',
          onHand: 6,
          held: 4,
          available: 2,
          backordered: 3,
          inProduction: 3,
        },
        expect.objectContaining({ productId: 'chair', heading: 'Oak Chair' }),
      ]),
    );

    // The history: this bucket's sample, then the value now.
    await testApp.app.adminStock.sample();
    expect(await testApp.db.collection(STOCK_SAMPLES).countDocuments({ productId: 'stool' })).toBe(1);
    const history = await admin.request('GET', '/api/admin/stock/stool/history?hours=24');
    expect(history.statusCode).toBe(200);
    const { points } = history.json() as { points: { at: string; available: number }[] };
    expect(points.length).toBe(2);
    expect(points.map((point) => point.available)).toEqual([2, 2]);
    expect((await admin.request('GET', '/api/admin/stock/stool/history')).statusCode).toBe(200); // 24 by default
  });

  it('refuses out-of-range hours and operators (400), and is 404 for an unknown product', async () => {
    for (const query of ['hours=0', 'hours=169', 'hours=abc', 'hours[$gt]=1', 'other=1']) {
      const response = await admin.request('GET', `/api/admin/stock/stool/history?${query}`);
      expect(response.statusCode, query).toBe(400);
    }
    const unknown = await admin.request('GET', '/api/admin/stock/no-such-thing/history');
    expect(unknown.statusCode).toBe(404);
    expect(
      (await admin.request('GET', `/api/admin/stock/${encodeURIComponent('$where')}/history`)).statusCode,
    ).toBe(400);
  });
});
