import type { ServiceReactions } from '@az-shop/common';
import {
  FACTORY_OUTPUT,
  type FactoryOutputDocument,
  FULFILMENTS,
  PRODUCTION_REQUESTS,
  WORK_ITEMS,
  type WorkItemDocument,
} from '@az-shop/common';
import { eventually, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import type { Db, Document } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerFactoryProcessors } from '../src/processors';
import { workItemView } from '../src/work-item/queries';
import { FACTORY_SLOTS } from '../src/work-item/slots';
import {
  productionRequest,
  seedProducts,
  silentLogger,
  TestClock,
  testFactoryConfig,
} from './support/fixtures';

let mongo: TestMongo;
let db: Db;
let clock: TestClock;
let running: ServiceReactions[] = [];

beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.stop();
});
afterEach(async () => {
  for (const factory of running) await factory.stop();
  running = [];
});

async function startFactory(config = testFactoryConfig, fresh = true) {
  if (fresh) {
    db = mongo.freshDb();
    clock = new TestClock();
    await seedProducts(db, ['p1', 'p2']);
  }
  const factory = registerFactoryProcessors({ db, logger: silentLogger, config, clock }, { leases: false });
  await factory.start();
  running.push(factory);
  return factory;
}

const workItems = () => db.collection<WorkItemDocument>(WORK_ITEMS);
const outputs = () => db.collection<FactoryOutputDocument>(FACTORY_OUTPUT);
const requests = () => db.collection<Document & { _id: string }>(PRODUCTION_REQUESTS);

describe('factory against the dev Mongo server', () => {
  it('turns a production request into one work item and exactly one output', async () => {
    await startFactory();
    await requests().insertOne(productionRequest('r1', 'p1', 3));
    await eventually(
      async () => (await workItems().findOne({ _id: 'pr:r1' }))?.stage === 'InventoryAvailable',
    );
    // The request seen again (an update re-delivers it) creates nothing new.
    await requests().updateOne({ _id: 'r1' } as never, { $set: { note: 'again' } });
    await requests().insertOne(productionRequest('r2', 'p1', 1));
    await eventually(async () => (await outputs().countDocuments()) === 2);
    const item = await workItems().findOne({ _id: 'pr:r1' });
    expect(item?.history.map((h) => h.stage)).toEqual([
      'New',
      'FactoryReady',
      'Building',
      'FactoryComplete',
      'MoveToWarehouse',
      'InventoryAvailable',
    ]);
    expect(await workItems().countDocuments()).toBe(2);
    expect(await outputs().findOne({ _id: 'out:pr:r1' })).toMatchObject({
      productId: 'p1',
      qty: 3,
      workItemId: 'pr:r1',
    });
  });

  it('never builds more than its capacity at once, and serves the queue in order', async () => {
    await startFactory({ ...testFactoryConfig, FACTORY_CAPACITY: 2, FACTORY_SECONDS_PER_UNIT: 0.05 });
    for (let i = 0; i < 6; i++) await requests().insertOne(productionRequest(`r${i}`, 'p2', 1));
    let maxBuilding = 0;
    await eventually(
      async () => {
        maxBuilding = Math.max(maxBuilding, await workItems().countDocuments({ stage: 'Building' }));
        return (await outputs().countDocuments()) === 6;
      },
      { intervalMs: 5 },
    );
    expect(maxBuilding).toBeLessThanOrEqual(2);
    const items = await workItems().find().toArray();
    const byWait = [...items].sort(
      (a, b) => a.waitingSince!.getTime() - b.waitingSince!.getTime() || (a._id < b._id ? -1 : 1),
    );
    const byStart = [...items].sort((a, b) => a.buildStartedAt!.getTime() - b.buildStartedAt!.getTime());
    expect(byStart[0]?._id).toBe(byWait[0]?._id);
    // Capacity is given back once each item is InventoryAvailable.
    await eventually(
      async () =>
        (await db.collection(FACTORY_SLOTS).findOne({ _id: 'factory' } as never))?.holders.length === 0,
    );
  });

  it('shows waiting and progress for the board', async () => {
    await startFactory({ ...testFactoryConfig, FACTORY_CAPACITY: 1, FACTORY_SECONDS_PER_UNIT: 3600 });
    await requests().insertOne(productionRequest('a', 'p1', 1));
    await eventually(async () => (await workItems().findOne({ _id: 'pr:a' }))?.stage === 'Building');
    await requests().insertOne(productionRequest('b', 'p1', 1));
    const waiting = await eventually(
      async () => (await workItems().findOne({ _id: 'pr:b', stage: 'FactoryReady' })) ?? undefined,
    );
    const view = await workItemView(db, fromDoc(waiting), clock.now());
    expect(view).toMatchObject({ stage: 'FactoryReady', queuePosition: 1, progress: 0 });
    const building = await workItems().findOne({ _id: 'pr:a' });
    const halfway = new Date(building!.buildStartedAt!.getTime() + 1800_000);
    expect((await workItemView(db, fromDoc(building!), halfway)).progress).toBe(50);
  });

  it('a restarted factory finishes builds from their stored end time: no lost or doubled output', async () => {
    const first = await startFactory({
      ...testFactoryConfig,
      FACTORY_CAPACITY: 5,
      FACTORY_SECONDS_PER_UNIT: 60,
    });
    for (let i = 0; i < 3; i++) await requests().insertOne(productionRequest(`r${i}`, 'p1', 1));
    await eventually(async () => (await workItems().countDocuments({ stage: 'Building' })) === 3);
    await first.stop();
    running = [];
    // While it is down, the builds' end time passes.
    clock.advance(120_000);
    await startFactory({ ...testFactoryConfig, FACTORY_CAPACITY: 5, FACTORY_SECONDS_PER_UNIT: 60 }, false);
    await eventually(async () => (await workItems().countDocuments({ stage: 'InventoryAvailable' })) === 3);
    expect(await outputs().countDocuments()).toBe(3);
  });

  it('two factory instances share the work without doubling output or exceeding capacity', async () => {
    const config = { ...testFactoryConfig, FACTORY_CAPACITY: 3, FACTORY_SECONDS_PER_UNIT: 0.02 };
    await startFactory(config);
    await startFactory(config, false);
    for (let i = 0; i < 20; i++)
      await requests().insertOne(productionRequest(`r${i}`, i % 2 ? 'p1' : 'p2', 1));
    let maxBuilding = 0;
    await eventually(
      async () => {
        maxBuilding = Math.max(maxBuilding, await workItems().countDocuments({ stage: 'Building' }));
        return (await workItems().countDocuments({ stage: 'InventoryAvailable' })) === 20;
      },
      { intervalMs: 5 },
    );
    expect(maxBuilding).toBeLessThanOrEqual(3);
    expect(await outputs().countDocuments()).toBe(20);
  });

  it('creates one work item per short line of a backordered fulfilment, once', async () => {
    await startFactory();
    const fulfilment = {
      _id: 'o1',
      partition_key: 'u1',
      orderId: 'o1',
      userId: 'u1',
      warehouse: 'main',
      stage: 'Backordered',
      lines: [
        { productId: 'p1', qty: 2, held: false },
        { productId: 'p2', qty: 1, held: false },
      ],
      shortLines: [
        { productId: 'p1', qty: 2 },
        { productId: 'p2', qty: 1 },
      ],
      history: [
        { stage: 'Placed', at: new Date() },
        { stage: 'Backordered', at: new Date() },
      ],
      version: 1,
    };
    await db.collection(FULFILMENTS).insertOne(fulfilment as never);
    await db.collection(FULFILMENTS).updateOne({ _id: 'o1' } as never, { $set: { version: 2 } });
    await eventually(async () => (await outputs().countDocuments()) === 2);
    expect(await workItems().countDocuments({ 'source.kind': 'backorder' })).toBe(2);
    expect(await outputs().findOne({ _id: 'out:bo:o1:p1' })).toMatchObject({ qty: 2 });
  });

  it('bad production requests end as Failed with a reason and do not block the partition', async () => {
    await startFactory();
    await requests().insertMany([
      productionRequest('unknown', 'nope', 1),
      { ...productionRequest('negative', 'p1', -5) },
      { _id: 'missing', partition_key: 'p1' },
      productionRequest('good', 'p1', 1),
    ]);
    await eventually(
      async () => (await workItems().findOne({ _id: 'pr:good' }))?.stage === 'InventoryAvailable',
    );
    const failures = Object.fromEntries(
      (await workItems().find({ stage: 'Failed' }).toArray()).map((item) => [item._id, item.failure?.reason]),
    );
    expect(failures).toEqual({
      'pr:unknown': 'unknown product nope',
      'pr:negative': 'quantity -5 is out of range (1..1000)',
      'pr:missing': 'missing product id',
    });
  });
});

function fromDoc(document: WorkItemDocument) {
  const { partition_key: _key, version: _version, ...item } = document;
  return item;
}
