import { PRODUCTS, type ServiceReactions } from '@az-shop/common';
import { eventually, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import type { Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerOrderingProcessors } from '../src/processors';
import {
  collections,
  fulfilmentStages,
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

/**
 * "Ordering checks what web wrote" (docs/domain.md): documents inserted straight into the database,
 * as by an attacker who bypassed web (or a web bug), through ordering's real change streams.
 */
let mongo: TestMongo;
let db: Db;
let ordering: ServiceReactions;

beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.stop();
});
afterEach(async () => {
  await ordering?.stop();
});

async function startOrdering() {
  db = mongo.freshDb();
  await seedProducts(db, ['p1']);
  ordering = registerOrderingProcessors(
    { db, logger: silentLogger, config: testOrderingConfig, clock: new TestClock() },
    { leases: false },
  );
  await ordering.start();
  await collections(db).outputs.insertOne(output('out1', 'p1', 10));
  await eventually(async () => (await stockOf(db, 'p1'))?.onHand === 10, { what: 'stock' });
}

const fulfilmentOf = (id: string) => collections(db).fulfilments.findOne({ _id: id });
const { waitForStage } = fulfilmentStages(() => db);

describe('forged orders are refused: Failed with the reason, no stock held', () => {
  it.each([
    ['a total below its lines', { total: 1 }, 'the total 1 is not the sum of its lines (1500)'],
    [
      'unit prices of 0 with a total to match',
      { lines: [{ productId: 'p1', qty: 3, unitPrice: 0 }], total: 0 },
      "the unit price 0 of p1 is not the catalog's 500",
    ],
    ['another currency than the catalog', { currency: 'JPY' }, 'the order is in JPY, p1 is priced in EUR'],
    ["another user's partition", { partition_key: 'user-victim' }, "the order's partition_key user-victim"],
  ])('%s', async (_name, forged, reason) => {
    await startOrdering();
    const honest = order('o', [{ productId: 'p1', qty: 3 }]);
    await collections(db).orders.insertOne({ ...honest, ...forged });
    await waitForStage('o', 'Failed');
    expect((await fulfilmentOf('o'))?.failure?.reason).toContain(reason);
    expect(await stockOf(db, 'p1')).toMatchObject({ reserved: 0, available: 10, holds: [] });
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });
});

describe('honest orders around a price change are served', () => {
  it('at the new price once the catalog changed, and at the checkout price when it changed after checkout', async () => {
    await startOrdering();
    const c = collections(db);
    await c.orders.insertOne(order('before', [{ productId: 'p1', qty: 1 }]));
    await waitForStage('before', 'Reserved');
    const placedAt = new Date();
    await db.collection(PRODUCTS).updateOne({ _id: 'p1' } as never, {
      $set: { 'price.amount': 600, updatedAt: new Date(placedAt.getTime() + 1) },
    });
    await c.orders.insertOne({
      ...order('after', [{ productId: 'p1', qty: 1 }]),
      lines: [{ productId: 'p1', qty: 1, unitPrice: 600 }],
      total: 600,
    });
    await c.orders.insertOne(order('checkout-before', [{ productId: 'p1', qty: 1 }], { placedAt }));
    await waitForStage('after', 'Reserved');
    await waitForStage('checkout-before', 'Reserved');
  });
});

describe("a payment or a cancellation by another user than the order's", () => {
  it("a payment for another user's order is a refund due, never applied; the owner's still pays it", async () => {
    await startOrdering();
    const c = collections(db);
    const victims = order('o', [{ productId: 'p1', qty: 3 }]);
    await c.orders.insertOne(victims);
    await waitForStage('o', 'Reserved');
    const byAttacker = { ...payment(victims, 'pay-attacker'), userId: 'attacker', partition_key: 'attacker' };
    const underVictimsKey = { ...payment(victims, 'pay-mixed'), userId: 'attacker' };
    await c.payments.insertMany([byAttacker, underVictimsKey]);
    await eventually(async () => (await fulfilmentOf('o'))?.refundsDue.length === 2, { what: 'refunds due' });
    const forged = await fulfilmentOf('o');
    expect(forged).toMatchObject({ stage: 'Reserved', paid: false });
    expect(forged?.refundsDue.map((refund) => [refund.paymentId, refund.reason])).toEqual([
      ['pay-attacker', "paid by another user than the order's"],
      ['pay-mixed', "paid by another user than the order's"],
    ]);
    await c.payments.insertOne(payment(victims));
    await waitForStage('o', 'Delivered');
    expect((await fulfilmentOf('o'))?.paymentId).toBe('pay-o');
  });

  it('a cancellation by another user is refused and recorded; the order goes on', async () => {
    await startOrdering();
    const c = collections(db);
    const victims = order('o', [{ productId: 'p1', qty: 3 }]);
    await c.orders.insertOne(victims);
    await waitForStage('o', 'Reserved');
    await c.cancellations.insertMany([
      { _id: 'cx', partition_key: 'attacker', orderId: 'o', userId: 'attacker', requestedAt: new Date() },
      { _id: 'cy', partition_key: 'attacker', orderId: 'o', userId: victims.userId, requestedAt: new Date() },
    ] as never);
    await eventually(async () => (await fulfilmentOf('o'))?.foreignCancellationsRefused?.length === 2, {
      what: 'refusals recorded',
    });
    const after = await fulfilmentOf('o');
    expect(after?.stage).toBe('Reserved');
    expect(
      after?.foreignCancellationsRefused?.map((refused) => [refused.cancellationId, refused.userId]),
    ).toEqual([
      ['cx', 'attacker'],
      ['cy', victims.userId],
    ]);
    expect(after?.cancellationRefused).toBeUndefined();
    expect(await stockOf(db, 'p1')).toMatchObject({ reserved: 3 });
    await c.payments.insertOne(payment(victims));
    await waitForStage('o', 'Delivered');
  });
});
