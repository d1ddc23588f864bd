import type { ServiceReactions } from '@az-shop/common';
import { metricsRegistry, STOCK_RECEIPTS, stockId } from '@az-shop/common';
import { eventually, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import type { Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fulfilmentHandlers } from '../src/fulfilment/handlers';
import { fulfilmentTimers } from '../src/fulfilment/timers';
import { registerOrderingProcessors } from '../src/processors';
import {
  collections,
  fulfilmentStages,
  insertEvent,
  order,
  output,
  payment,
  seedProducts,
  silentLogger,
  stockBalanceProblems,
  stockOf,
  TestClock,
  testOrderingConfig,
} from './support/fixtures';

let mongo: TestMongo;
let db: Db;
let clock: TestClock;
let ordering: ServiceReactions;

beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.stop();
});

async function startOrdering(config = testOrderingConfig) {
  db = mongo.freshDb();
  clock = new TestClock();
  await seedProducts(db, ['p1', 'p2', 'p3']);
  ordering = registerOrderingProcessors({ db, logger: silentLogger, config, clock }, { leases: false });
  await ordering.start();
}
afterEach(async () => {
  await ordering?.stop();
});

const { stageOf, waitForStage } = fulfilmentStages(() => db);

describe('ordering against the dev Mongo server', () => {
  it('reserves an order when stock is there, adding lines of one product together', async () => {
    await startOrdering();
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p1', 5));
    await eventually(async () => (await stockOf(db, 'p1'))?.onHand === 5, { what: 'output applied' });
    await c.orders.insertOne(
      order('o1', [
        { productId: 'p1', qty: 2 },
        { productId: 'p1', qty: 1 },
      ]),
    );
    await waitForStage('o1', 'Reserved');
    const fulfilment = await c.fulfilments.findOne({ _id: 'o1' });
    expect(fulfilment?.lines).toEqual([{ productId: 'p1', qty: 3, held: true }]);
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 5, reserved: 3, available: 2 });
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });

  it('applies a factory output exactly once however often it is seen', async () => {
    await startOrdering();
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p1', 4));
    await eventually(async () => (await stockOf(db, 'p1'))?.onHand === 4);
    // The same document seen again (an update re-delivers it through the stream).
    await c.outputs.updateOne({ _id: 'out1' }, { $set: { touched: true } });
    await c.outputs.insertOne(output('out2', 'p1', 1));
    // Both received and settled: the ledger keeps no ids (the receipts keep repeats out).
    await eventually(
      async () =>
        (await db.collection(STOCK_RECEIPTS).countDocuments({ state: 'applied' })) === 2 &&
        (await stockOf(db, 'p1'))?.appliedOutputs.length === 0,
    );
    expect((await stockOf(db, 'p1'))?.onHand).toBe(5);
  });

  it('100 orders placed at once for the last unit: exactly one Reserved, 99 Backordered', async () => {
    await startOrdering();
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p1', 1));
    await eventually(async () => (await stockOf(db, 'p1'))?.onHand === 1);
    await c.orders.insertMany(
      Array.from({ length: 100 }, (_, i) => order(`race${i}`, [{ productId: 'p1', qty: 1 }])),
    );
    await eventually(
      async () =>
        (await c.fulfilments.countDocuments({ stage: { $in: ['Reserved', 'Backordered'] } })) === 100,
      {
        what: '100 fulfilments',
      },
    );
    expect(await c.fulfilments.countDocuments({ stage: 'Reserved' })).toBe(1);
    expect(await c.fulfilments.countDocuments({ stage: 'Backordered' })).toBe(99);
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 1, reserved: 1, available: 0 });
    expect((await stockOf(db, 'p1'))?.waiting).toHaveLength(99);
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });

  it('a paid order is picked, shipped and delivered; stock balances', async () => {
    await startOrdering();
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p2', 3));
    const o = order('o1', [{ productId: 'p2', qty: 2 }]);
    await c.orders.insertOne(o);
    await waitForStage('o1', 'Reserved');
    await c.payments.insertOne(payment(o));
    await waitForStage('o1', 'Delivered');
    const f = await c.fulfilments.findOne({ _id: 'o1' });
    expect(f?.history.map((h) => h.stage)).toEqual([
      'Placed',
      'Reserved',
      'Reserved',
      'Picking',
      'Shipped',
      'Delivered',
    ]);
    expect(await stockOf(db, 'p2')).toMatchObject({ onHand: 1, reserved: 0, available: 1, shipped: 2 });
    expect(await stockBalanceProblems(db, 'p2')).toEqual([]);
  });

  it('a payment inserted pending is paid by its update to authorized; repeats and a duplicate are handled once', async () => {
    await startOrdering();
    const c = collections(db);
    const o = order('o1', [{ productId: 'p1', qty: 1 }]);
    await c.orders.insertOne(o);
    await waitForStage('o1', 'Backordered');
    // As web writes it: pending while the shopper is on the provider's page, then the webhook's update.
    await c.payments.insertOne({ ...payment(o, 'pay1'), status: 'pending' });
    await c.payments.insertOne({ ...payment(o, 'pay2'), status: 'pending' });
    await c.payments.updateOne({ _id: 'pay1' }, { $set: { status: 'authorized' } });
    await eventually(async () => (await c.fulfilments.findOne({ _id: 'o1' }))?.paid === true, {
      what: 'paid',
    });
    await c.payments.updateOne({ _id: 'pay1' }, { $set: { updatedAt: new Date() } });
    await c.payments.updateOne({ _id: 'pay2' }, { $set: { status: 'duplicate' } });
    await c.payments.updateOne({ _id: 'pay2' }, { $set: { updatedAt: new Date() } });
    await eventually(async () => (await c.fulfilments.findOne({ _id: 'o1' }))?.refundsDue.length === 1, {
      what: 'the duplicate owed back',
    });
    const f = await c.fulfilments.findOne({ _id: 'o1' });
    expect(f).toMatchObject({
      paid: true,
      paymentId: 'pay1',
      refundsDue: [{ paymentId: 'pay2', amount: o.total }],
    });
    expect(f?.history.filter((entry) => entry.note === 'paid')).toHaveLength(1);
  });

  it('a paid backorder proceeds when stock arrives (first come, first served)', async () => {
    await startOrdering();
    const c = collections(db);
    const first = order('first', [{ productId: 'p1', qty: 2 }]);
    const second = order('second', [{ productId: 'p1', qty: 1 }]);
    await c.orders.insertOne(first);
    await waitForStage('first', 'Backordered');
    await c.orders.insertOne(second);
    await waitForStage('second', 'Backordered');
    await c.payments.insertMany([payment(first), payment(second)]);
    await c.outputs.insertOne(output('out1', 'p1', 2));
    await waitForStage('first', 'Delivered');
    expect(await stageOf('second')).toBe('Backordered');
    await c.outputs.insertOne(output('out2', 'p1', 1));
    await waitForStage('second', 'Delivered');
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });

  it('an unpaid order expires at payBy and its stock goes back', async () => {
    await startOrdering();
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p1', 1));
    await c.orders.insertOne(order('o1', [{ productId: 'p1', qty: 1 }]));
    await waitForStage('o1', 'Reserved');
    const late = order('late', [{ productId: 'p1', qty: 1 }]);
    await c.orders.insertOne(late);
    await waitForStage('late', 'Backordered');
    await c.payments.insertOne(payment(late));
    clock.advance(16 * 60_000);
    await waitForStage('o1', 'Expired');
    // Its unit went to the queue: the paid backorder never expires and is delivered.
    await waitForStage('late', 'Delivered');
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });

  it('cancels before shipping (stock released), refuses after', async () => {
    await startOrdering({ ...testOrderingConfig, DELIVERY_SECONDS: 3600 });
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p3', 5));
    const kept = order('kept', [{ productId: 'p3', qty: 2 }]);
    await c.orders.insertMany([order('gone', [{ productId: 'p3', qty: 2 }]), kept]);
    await waitForStage('gone', 'Reserved');
    await waitForStage('kept', 'Reserved');
    // Asked by an admin for the order's user (web's back office): honoured as the user's own.
    await c.cancellations.insertOne({
      _id: 'c1',
      partition_key: 'user-gone',
      orderId: 'gone',
      userId: 'user-gone',
      requestedAt: new Date(),
      requestedBy: { by: 'admin', sub: 'admin-0001', email: 'admin@example.com', name: 'Ada Admin' },
    } as never);
    await waitForStage('gone', 'Cancelled');
    await eventually(async () => (await stockOf(db, 'p3'))?.reserved === 2);
    await c.payments.insertOne(payment(kept));
    await waitForStage('kept', 'Shipped');
    await c.cancellations.insertOne({
      _id: 'c2',
      partition_key: 'user-kept',
      orderId: 'kept',
      userId: 'user-kept',
      requestedAt: new Date(),
    } as never);
    await eventually(
      async () =>
        (await c.fulfilments.findOne({ _id: 'kept' }))?.cancellationRefused?.cancellationId === 'c2',
    );
    expect(await stageOf('kept')).toBe('Shipped');
    expect(await stockOf(db, 'p3')).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    expect(await stockBalanceProblems(db, 'p3')).toEqual([]);
  });

  it('records payments it cannot use as refunds due: unknown order, wrong amount, after cancel', async () => {
    await startOrdering();
    const c = collections(db);
    const o = order('o1', [{ productId: 'p1', qty: 1 }]);
    await c.orders.insertOne(o);
    await waitForStage('o1', 'Backordered');
    await c.payments.insertOne(payment(o, 'wrong', 1));
    await c.payments.insertOne(payment(order('nope', [{ productId: 'p1', qty: 1 }]), 'ghost'));
    await eventually(async () => (await c.fulfilments.findOne({ _id: 'nope' }))?.refundsDue.length === 1);
    await eventually(async () => (await c.fulfilments.findOne({ _id: 'o1' }))?.refundsDue.length === 1);
    expect((await c.fulfilments.findOne({ _id: 'o1' }))?.paid).toBe(false);
    expect((await c.fulfilments.findOne({ _id: 'nope' }))?.stage).toBe('Failed');
  });

  it('bad documents end as Failed with a reason and do not block their partition', async () => {
    await startOrdering();
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p1', 5));
    const sameUser = { partition_key: 'user-shared', userId: 'user-shared' };
    await c.orders.insertMany([
      { ...order('missing-lines', []), ...sameUser, lines: undefined } as never,
      order('unknown-product', [{ productId: 'nope', qty: 1 }], sameUser),
      { ...order('negative', [{ productId: 'p1', qty: -2 }]), ...sameUser },
      order('good', [{ productId: 'p1', qty: 1 }], sameUser),
    ]);
    await waitForStage('good', 'Reserved');
    for (const [id, reason] of [
      ['missing-lines', 'lines'],
      ['unknown-product', 'unknown product nope'],
      ['negative', 'qty'],
    ]) {
      await waitForStage(id!, 'Failed');
      expect((await c.fulfilments.findOne({ _id: id! }))?.failure?.reason).toContain(reason);
    }
    expect(await stockOf(db, 'p1')).toMatchObject({ reserved: 1 });
    expect(stockId('main', 'p1')).toBe('main:p1');
  });

  it('a re-delivered order changes nothing: not after Reserved, not after Cancelled', async () => {
    await startOrdering();
    const c = collections(db);
    const handlers = fulfilmentHandlers({ db, logger: silentLogger, config: testOrderingConfig, clock });
    await c.outputs.insertOne(output('out1', 'p1', 5));
    await eventually(async () => (await stockOf(db, 'p1'))?.onHand === 5);
    const o = order('again', [{ productId: 'p1', qty: 2 }]);
    await c.orders.insertOne(o);
    await waitForStage('again', 'Reserved');
    await handlers.onOrderPlaced(insertEvent(o));
    expect(await stockOf(db, 'p1')).toMatchObject({
      reserved: 2,
      holds: [{ fulfilmentId: 'again', qty: 2 }],
    });
    await c.cancellations.insertOne({
      _id: 'c1',
      partition_key: o.userId,
      orderId: 'again',
      userId: o.userId,
      requestedAt: new Date(),
    } as never);
    await waitForStage('again', 'Cancelled');
    await eventually(async () => (await stockOf(db, 'p1'))?.reserved === 0);
    await handlers.onOrderPlaced(insertEvent(o));
    expect(await stockOf(db, 'p1')).toMatchObject({
      onHand: 5,
      reserved: 0,
      available: 5,
      holds: [],
      waiting: [],
    });
    expect(await stageOf('again')).toBe('Cancelled');
  });

  it('units given to a fulfilment not written yet wait in the outbox without holding up the caller', async () => {
    await startOrdering();
    const c = collections(db);
    const handlers = fulfilmentHandlers({ db, logger: silentLogger, config: testOrderingConfig, clock });
    await c.outputs.insertOne(output('out1', 'p1', 3));
    await eventually(async () => (await stockOf(db, 'p1'))?.onHand === 3);
    // As a crash leaves it: the queue gave units to 'ghost', whose order handler had not yet written
    // its fulfilment when the process died.
    await db.collection('stock').updateOne({ _id: stockId('main', 'p1') } as object, {
      $set: { holds: [{ fulfilmentId: 'ghost', qty: 1 }], reserved: 1, available: 2, toNotify: ['ghost'] },
    });
    const settled = await Promise.race([
      handlers.sync.deliverAllocations('main', 'p1').then(() => 'returned'),
      new Promise((resolve) => setTimeout(() => resolve('still spinning'), 3000)),
    ]);
    expect(settled).toBe('returned');
    expect((await stockOf(db, 'p1'))?.toNotify).toEqual(['ghost']);

    // When ghost's order arrives it finds its units held, and its placement empties the outbox,
    // leaving the hold where it is.
    await c.orders.insertOne(order('ghost', [{ productId: 'p1', qty: 1 }]));
    await waitForStage('ghost', 'Reserved');
    await eventually(async () => (await stockOf(db, 'p1'))?.toNotify.length === 0, { what: 'outbox empty' });
    expect(await stockOf(db, 'p1')).toMatchObject({ reserved: 1, available: 2, toNotify: [] });
    expect(await stageOf('ghost')).toBe('Reserved');
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });

  it('an order placed concurrently by its own event, its payment and a repeat holds its units once', async () => {
    await startOrdering();
    const c = collections(db);
    const handlers = fulfilmentHandlers({ db, logger: silentLogger, config: testOrderingConfig, clock });
    await c.outputs.insertOne(output('out1', 'p2', 20));
    await eventually(async () => (await stockOf(db, 'p2'))?.onHand === 20);
    await ordering.stop();
    const orders = Array.from({ length: 30 }, (_, i) => order(`par${i}`, [{ productId: 'p2', qty: 1 }]));
    await c.orders.insertMany(orders);
    await Promise.all(
      orders.flatMap((o) => [
        handlers.onOrderPlaced(insertEvent(o)),
        handlers.onPaymentAuthorized(insertEvent(payment(o))),
        handlers.onOrderPlaced(insertEvent(o)),
      ]),
    );
    expect(await c.fulfilments.countDocuments({ stage: 'Reserved', paid: true })).toBe(20);
    expect(await c.fulfilments.countDocuments({ stage: 'Backordered', paid: true })).toBe(10);
    expect(await stockOf(db, 'p2')).toMatchObject({ reserved: 20, available: 0 });
    expect(await stockBalanceProblems(db, 'p2')).toEqual([]);
  });

  it('keeps the hold it made when another placer wrote the open fulfilment first (the lost-create race)', async () => {
    await startOrdering();
    const c = collections(db);
    await ordering.stop();
    const handlers = fulfilmentHandlers({ db, logger: silentLogger, config: testOrderingConfig, clock });
    await handlers.onFactoryOutput(insertEvent(output('out1', 'p1', 3)));
    const o = order('race', [{ productId: 'p1', qty: 1 }]);
    // The state between the two placers: the winner of the insert relied on the other's hold.
    await c.fulfilments.insertOne({
      _id: 'race',
      partition_key: o.userId,
      orderId: 'race',
      userId: o.userId,
      warehouse: 'main',
      stage: 'Reserved',
      lines: [{ productId: 'p1', qty: 1, held: true }],
      shortLines: [],
      total: o.total,
      currency: 'EUR',
      placedAt: o.placedAt,
      payBy: new Date(o.placedAt.getTime() + 900_000),
      paid: false,
      refundsDue: [],
      history: [
        { stage: 'Placed', at: o.placedAt },
        { stage: 'Reserved', at: o.placedAt },
      ],
      version: 1,
    });
    await handlers.onOrderPlaced(insertEvent(o));
    expect(await stockOf(db, 'p1')).toMatchObject({ reserved: 1, holds: [{ fulfilmentId: 'race', qty: 1 }] });
  });

  it('expiry is durable: an order whose payBy passed while ordering was down expires after the restart', async () => {
    await startOrdering();
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p1', 1));
    await c.orders.insertOne(order('o1', [{ productId: 'p1', qty: 1 }]));
    await waitForStage('o1', 'Reserved');
    await ordering.stop();
    clock.advance(16 * 60_000);
    // While ordering is down the missed deadline shows as an overdue timer (timers_overdue*).
    const deps = { db, logger: silentLogger, config: testOrderingConfig, clock };
    const { overdue } = fulfilmentTimers(deps, fulfilmentHandlers(deps));
    const expiry = async (metric: string) =>
      (await metricsRegistry.getSingleMetric(metric)?.get())?.values.find(
        (value) => value.labels.loop === 'ordering.timers' && value.labels.timer === 'expireUnpaid',
      )?.value;
    await overdue.sample();
    expect(await expiry('timers_overdue')).toBe(1);
    expect(await expiry('timers_overdue_seconds')).toBeGreaterThanOrEqual(60);
    ordering = registerOrderingProcessors(deps, { leases: false });
    await ordering.start();
    await waitForStage('o1', 'Expired');
    await overdue.sample();
    expect(await expiry('timers_overdue')).toBe(0);
    expect(await expiry('timers_overdue_seconds')).toBe(0);
    await eventually(async () => (await stockOf(db, 'p1'))?.available === 1);
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });

  it('never picks more orders at once than the picking capacity', async () => {
    await startOrdering({ ...testOrderingConfig, PICKING_CAPACITY: 2, PICKING_SECONDS: 0.1 });
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p3', 8));
    const orders = Array.from({ length: 8 }, (_, i) => order(`pk${i}`, [{ productId: 'p3', qty: 1 }]));
    await c.orders.insertMany(orders);
    await c.payments.insertMany(orders.map((o) => payment(o)));
    let maxPicking = 0;
    await eventually(
      async () => {
        maxPicking = Math.max(maxPicking, await c.fulfilments.countDocuments({ stage: 'Picking' }));
        return (await c.fulfilments.countDocuments({ stage: 'Delivered' })) === 8;
      },
      { intervalMs: 5 },
    );
    expect(maxPicking).toBeGreaterThan(0);
    expect(maxPicking).toBeLessThanOrEqual(2);
    expect(await stockOf(db, 'p3')).toMatchObject({ onHand: 0, shipped: 8, reserved: 0 });
  });
});
