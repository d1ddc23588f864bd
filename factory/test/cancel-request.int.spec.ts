import type { ServiceReactions } from '@az-shop/common';
import {
  FACTORY_OUTPUT,
  type FactoryOutputDocument,
  PRODUCTION_REQUESTS,
  WORK_ITEMS,
  type WorkItemDocument,
} from '@az-shop/common';
import { eventually, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import type { Db, Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFactoryProcessors } from '../src/processors';
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
let factory: ServiceReactions;

beforeAll(async () => {
  mongo = await startTestMongo();
  db = mongo.freshDb();
  clock = new TestClock();
  await seedProducts(db, ['p1']);
  // One unit of capacity and an hour per unit: the first request builds, the next ones wait.
  const config = { ...testFactoryConfig, FACTORY_CAPACITY: 1, FACTORY_SECONDS_PER_UNIT: 3600 };
  factory = registerFactoryProcessors({ db, logger: silentLogger, config, clock }, { leases: false });
  await factory.start();
});
afterAll(async () => {
  await factory.stop();
  await mongo.stop();
});

const workItems = () => db.collection<WorkItemDocument>(WORK_ITEMS);
const outputs = () => db.collection<FactoryOutputDocument>(FACTORY_OUTPUT);
const requests = () => db.collection<Document & { _id: string }>(PRODUCTION_REQUESTS);
const stageOf = async (id: string) => (await workItems().findOne({ _id: id }))?.stage;
const cancelRequest = (id: string) =>
  requests().updateOne(
    { _id: id },
    { $set: { cancelRequestedAt: clock.now(), cancelRequestedBy: 'admin@example.com' } },
  );

describe('the back office cancels production requests (factory processors, dev Mongo server)', () => {
  it('cancels a request not started (no units), refuses a started one (it finishes)', async () => {
    await requests().insertOne(productionRequest('started', 'p1', 1));
    await eventually(async () => (await stageOf('pr:started')) === 'Building');
    await requests().insertOne(productionRequest('waiting', 'p1', 2));
    await eventually(async () => (await stageOf('pr:waiting')) === 'FactoryReady');

    // when both are cancelled
    await cancelRequest('waiting');
    await cancelRequest('started');

    // then the waiting one is Cancelled and the started one goes on with the refusal recorded
    await eventually(async () => (await stageOf('pr:waiting')) === 'Cancelled');
    const waiting = await workItems().findOne({ _id: 'pr:waiting' });
    expect(waiting?.cancellation?.reason).toBe('production request cancelled by admin@example.com');
    const started = await eventually(
      async () =>
        (await workItems().findOne({ _id: 'pr:started', cancelRefused: { $exists: true } })) ?? undefined,
    );
    expect(started.stage).toBe('Building');
    expect(started.cancelRefused?.reason).toMatch(/^the build had started at /);

    // and once the started build's time passes, only it delivers units
    clock.advance(2 * 3600_000);
    await eventually(async () => (await stageOf('pr:started')) === 'InventoryAvailable');
    await requests().insertOne(productionRequest('after', 'p1', 1));
    await eventually(async () => (await stageOf('pr:after')) === 'Building');
    expect(await stageOf('pr:waiting')).toBe('Cancelled');
    expect(
      await outputs()
        .find()
        .map((output) => output.workItemId)
        .toArray(),
    ).toEqual(['pr:started']);
  });

  it('a request cancelled before the factory saw it is cancelled, never built', async () => {
    await requests().insertOne({ ...productionRequest('early', 'p1', 1), cancelRequestedAt: clock.now() });
    await eventually(async () => (await stageOf('pr:early')) === 'Cancelled');
    const item = await workItems().findOne({ _id: 'pr:early' });
    expect(item?.history.map((entry) => entry.stage)).toEqual(['New', 'FactoryReady', 'Cancelled']);
    expect(item?.buildStartedAt).toBeUndefined();
    expect(await outputs().countDocuments({ workItemId: 'pr:early' })).toBe(0);
  });
});
