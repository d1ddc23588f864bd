import type { ServiceReactions } from '@az-shop/common';
import { metricsRegistry, PRODUCTION_REQUESTS } from '@az-shop/common';
import { eventually, SERVICES_APP, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBothServices } from './support/both-services';
import {
  collections,
  fulfilmentStages,
  order,
  payment,
  seedProducts,
  stockBalanceProblems,
  stockOf,
  TestClock,
} from './support/fixtures';
import { FLAVOURS } from './support/flavours';

/**
 * Both services, every processor and timer running, against one dev Mongo server: once as MongoDB, once
 * as Cosmos DB (the services in cosmos mode, with their own throttled connection).
 */
describe.each(FLAVOURS)('factory and ordering together ($flavour)', ({ flavour, server }) => {
  let mongo: TestMongo;
  let db: Db;
  let clock: TestClock;
  let services: ServiceReactions[] = [];
  let servicesClient: MongoClient;

  beforeAll(async () => {
    mongo = await startTestMongo(server);
    servicesClient = await mongo.connect(SERVICES_APP);
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
    services = await startBothServices(
      servicesClient.db(db.databaseName),
      clock,
      { FACTORY_CAPACITY: 2, FACTORY_SECONDS_PER_UNIT: 0.01, FACTORY_TICK_MS: 20, FACTORY_IDLE_MS: 20 },
      flavour,
    );
  }

  const { waitForStage } = fulfilmentStages(() => db);

  describe('the pipeline', () => {
    it('production request → stock → three orders → paid → Delivered', async () => {
      await startBoth();
      const c = collections(db);
      await db.collection(PRODUCTION_REQUESTS).insertOne({
        _id: 'r1',
        partition_key: 'p1',
        productId: 'p1',
        warehouse: 'main',
        qty: 6,
        requestedAt: new Date(),
      } as never);
      await eventually(async () => (await stockOf(db, 'p1'))?.onHand === 6, {
        what: 'stock from the factory',
      });
      const orders = [1, 2, 3].map((n) => order(`o${n}`, [{ productId: 'p1', qty: n }]));
      await c.orders.insertMany(orders);
      for (const o of orders) await waitForStage(o._id, 'Reserved');
      await c.payments.insertMany(orders.map((o) => payment(o)));
      for (const o of orders) await waitForStage(o._id, 'Delivered');
      expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 0, reserved: 0, available: 0, shipped: 6 });
      expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
    });

    it('backorder path: the factory is triggered automatically and the paid order is delivered', async () => {
      await startBoth();
      const c = collections(db);
      const o = order('bo', [
        { productId: 'p1', qty: 2 },
        { productId: 'p2', qty: 1 },
      ]);
      await c.orders.insertOne(o);
      await waitForStage('bo', 'Backordered');
      await c.payments.insertOne(payment(o));
      await waitForStage('bo', 'Delivered');
      expect(await db.collection('work_items').countDocuments({ 'source.fulfilmentId': 'bo' })).toBe(2);
      for (const p of ['p1', 'p2']) expect(await stockBalanceProblems(db, p)).toEqual([]);
    });

    it('expiry path: unpaid at payBy → Expired, its units go back to the shelf', async () => {
      await startBoth();
      const c = collections(db);
      await db.collection(PRODUCTION_REQUESTS).insertOne({
        _id: 'r1',
        partition_key: 'p2',
        productId: 'p2',
        warehouse: 'main',
        qty: 2,
        requestedAt: new Date(),
      } as never);
      await eventually(async () => (await stockOf(db, 'p2'))?.onHand === 2);
      await c.orders.insertOne(order('unpaid', [{ productId: 'p2', qty: 2 }]));
      await waitForStage('unpaid', 'Reserved');
      clock.advance(15 * 60_000 + 1);
      await waitForStage('unpaid', 'Expired');
      await eventually(async () => (await stockOf(db, 'p2'))?.available === 2);
      expect(await stockBalanceProblems(db, 'p2')).toEqual([]);
    });

    it('cancel path: a backordered order cancelled leaves no hold; its item is cancelled, or built into stock if it had started', async () => {
      await startBoth();
      const c = collections(db);
      await c.orders.insertOne(order('cx', [{ productId: 'p1', qty: 3 }]));
      await waitForStage('cx', 'Backordered');
      await c.cancellations.insertOne({
        _id: 'c1',
        partition_key: 'user-cx',
        orderId: 'cx',
        userId: 'user-cx',
        requestedAt: new Date(),
      } as never);
      await waitForStage('cx', 'Cancelled');
      const item = await eventually(
        async () => {
          const found = await db.collection('work_items').findOne({ _id: 'bo:cx:p1' } as never);
          return found && ['Cancelled', 'InventoryAvailable'].includes(found.stage) ? found : undefined;
        },
        { what: 'the item settled' },
      );
      const built = item.stage === 'InventoryAvailable' ? 3 : 0;
      await eventually(async () => (await stockOf(db, 'p1'))?.onHand === built, { what: 'the built units' });
      expect((await stockOf(db, 'p1'))?.available).toBe(built);
      expect((await stockOf(db, 'p1'))?.holds).toEqual([]);
      expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
    });

    it('Cosmos DB throttling (16500) was met and retried, and shows in mongo_throttled_total; none against MongoDB', async () => {
      const metric = await metricsRegistry.getSingleMetric('mongo_throttled_total')?.get();
      const throttled = (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
      if (flavour === 'cosmos') expect(throttled).toBeGreaterThan(0);
      else expect(throttled).toBe(0);
    });
  });
});
