import type { ServiceReactions } from '@az-shop/common';
import { PRODUCTION_REQUESTS, WORK_ITEMS, type WorkItemDocument } from '@az-shop/common';
import { eventually, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import type { Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBothServices } from '../../ordering/test/support/both-services';
import {
  collections,
  fulfilmentStages,
  insertEvent,
  order,
  payment,
  stockBalanceProblems,
  stockOf,
  testOrderingConfig,
} from '../../ordering/test/support/fixtures';
import type { FactoryConfig } from '../src/config';
import { workItemHandlers } from '../src/work-item/handlers';
import { productionRequest, seedProducts, silentLogger, TestClock } from './support/fixtures';

/**
 * "Stock is not hoarded" (docs/domain.md, "When an order stops waiting"): both services through the
 * dev Mongo server's change streams. One slot of factory capacity, held by a long build of another
 * product, so the backorders' items wait in FactoryReady until the test moves the clock.
 */
let mongo: TestMongo;
let db: Db;
let clock: TestClock;
let services: ServiceReactions[] = [];
const HOUR = 3_600_000;
const factoryConfig: FactoryConfig = {
  FACTORY_CAPACITY: 1,
  FACTORY_SECONDS_PER_UNIT: 3600,
  FACTORY_TICK_MS: 20,
  FACTORY_IDLE_MS: 20,
};

beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.stop();
});
afterEach(async () => {
  for (const service of services) await service.stop();
  services = [];
});

async function startBoth() {
  db = mongo.freshDb();
  clock = new TestClock();
  await seedProducts(db, ['p1', 'p2']);
  services = await startBothServices(db, clock, factoryConfig);
  // The blocker: p2 takes the only slot for an hour of the test clock.
  await db.collection(PRODUCTION_REQUESTS).insertOne(productionRequest('blocker', 'p2', 1) as never);
  await waitForItem('pr:blocker', 'Building');
}

const workItems = () => db.collection<WorkItemDocument>(WORK_ITEMS);
const itemOf = (id: string) => workItems().findOne({ _id: id });
const waitForItem = (id: string, stage: string) =>
  eventually(async () => (await itemOf(id))?.stage === stage, { what: `${id} in ${stage}` });
const { waitForStage } = fulfilmentStages(() => db);
const cancellation = (orderId: string) => ({
  _id: `c-${orderId}`,
  partition_key: `user-${orderId}`,
  orderId,
  userId: `user-${orderId}`,
  requestedAt: new Date(),
});

async function backorder(id: string, qty: number) {
  const placed = order(id, [{ productId: 'p1', qty }]);
  await collections(db).orders.insertOne(placed);
  await waitForStage(id, 'Backordered');
  await waitForItem(`bo:${id}:p1`, 'FactoryReady');
  return placed;
}

describe('the work items of a backorder whose order ends before its build starts', () => {
  it('are cancelled when it is cancelled or expires: nothing is built for nobody, and a replay changes nothing', async () => {
    await startBoth();
    await backorder('a', 3);
    await backorder('b', 3);
    await collections(db).cancellations.insertOne(cancellation('a') as never);
    await waitForStage('a', 'Cancelled');
    // b still waits for 3, but its own item covers it: a's is not needed.
    await waitForItem('bo:a:p1', 'Cancelled');
    expect((await itemOf('bo:b:p1'))?.stage).toBe('FactoryReady');

    clock.advance(testOrderingConfig.HOLD_MINUTES * 60_000 + 1);
    await waitForStage('b', 'Expired');
    await waitForItem('bo:b:p1', 'Cancelled');
    expect((await itemOf('bo:b:p1'))?.cancellation?.reason).toMatch(/^its order is Expired/);

    // The blocker finishes; nothing of p1 is built afterwards.
    clock.advance(2 * HOUR);
    await eventually(async () => (await stockOf(db, 'p2'))?.onHand === 1, { what: 'the blocker built' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await collections(db).outputs.countDocuments({ productId: 'p1' })).toBe(0);
    expect(await workItems().countDocuments({ productId: 'p1', stage: { $ne: 'Cancelled' } })).toBe(0);
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 0, reserved: 0, waiting: [] });
    for (const productId of ['p1', 'p2']) expect(await stockBalanceProblems(db, productId)).toEqual([]);

    // Replaying the fulfilments' events changes nothing.
    const before = await workItems().find().sort({ _id: 1 }).toArray();
    const handlers = workItemHandlers({ db, logger: silentLogger, config: factoryConfig, clock });
    for (const fulfilment of await collections(db).fulfilments.find().toArray())
      await handlers.onFulfilmentChanged(insertEvent(fulfilment));
    expect(await workItems().find().sort({ _id: 1 }).toArray()).toEqual(before);
  });

  it('is kept, cut to the demand, when another order waits without work: the stock ends matching demand', async () => {
    await startBoth();
    await backorder('a', 3);
    const c = await backorder('c', 2);
    // c's own work is lost (a failed build), so only a's item can still serve c.
    await workItems().updateOne(
      { _id: 'bo:c:p1' },
      { $set: { stage: 'Failed', failure: { reason: 'line stopped' } }, $inc: { version: 1 } },
    );
    await collections(db).payments.insertOne(payment(c));
    await collections(db).cancellations.insertOne(cancellation('a') as never);
    await waitForStage('a', 'Cancelled');
    await eventually(async () => (await itemOf('bo:a:p1'))?.reattributed, { what: 'a kept' });
    expect(await itemOf('bo:a:p1')).toMatchObject({
      stage: 'FactoryReady',
      qty: 2,
      reattributed: { fromQty: 3 },
    });

    clock.advance(2 * HOUR); // the blocker ends, a's item starts
    await waitForItem('bo:a:p1', 'Building');
    clock.advance(3 * HOUR); // and ends
    await waitForStage('c', 'Delivered');
    expect(await collections(db).outputs.findOne({ _id: 'out:bo:a:p1' })).toMatchObject({ qty: 2 });
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 0, reserved: 0, available: 0, shipped: 2 });
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });
});
