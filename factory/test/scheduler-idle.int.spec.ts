import {
  PRODUCTION_REQUESTS,
  type ServiceReactions,
  systemClock,
  WORK_ITEMS,
  type WorkItemDocument,
} from '@az-shop/common';
import { eventually, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import { type Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerFactoryProcessors } from '../src/processors';
import { FACTORY_SLOTS } from '../src/work-item/slots';
import { productionRequest, seedProducts, silentLogger, testFactoryConfig } from './support/fixtures';

let mongo: TestMongo;
let client: MongoClient;
let factory: ServiceReactions | undefined;
/** `find`s the scheduler sends (on the collections it reads), as the driver's command monitoring sees them. */
let schedulerFinds = 0;

beforeAll(async () => {
  mongo = await startTestMongo();
  client = new MongoClient(mongo.uri, { monitorCommands: true });
  client.on('commandStarted', (event) => {
    const target = event.command.find;
    if (target === WORK_ITEMS || target === FACTORY_SLOTS) schedulerFinds++;
  });
  await client.connect();
});
afterAll(async () => {
  await factory?.stop();
  await client?.close();
  await mongo?.stop();
});

const TICK_MS = 250; // production's defaults
const IDLE_MS = 2000;
/** How late the scheduler may complete a build: one tick, and room for a loaded machine. */
const ON_TIME_MS = TICK_MS + 500;

it('an idle build scheduler sends a few finds, not one pass per tick, and a build ending sooner than the idle pause completes on time', async () => {
  const db = client.db(`scheduler_idle_${process.pid}`);
  await seedProducts(db, ['p1']);
  factory = registerFactoryProcessors(
    {
      db,
      logger: silentLogger,
      clock: systemClock,
      // A one-second build: less than the idle pause, so only sleeping until its end is on time.
      config: {
        ...testFactoryConfig,
        FACTORY_TICK_MS: TICK_MS,
        FACTORY_IDLE_MS: IDLE_MS,
        FACTORY_SECONDS_PER_UNIT: 1,
      },
    },
    { leases: false },
  );
  await factory.start();
  await db
    .collection<Document & { _id: string }>(PRODUCTION_REQUESTS)
    .insertOne(productionRequest('r1', 'p1', 1));

  const items = db.collection<WorkItemDocument>(WORK_ITEMS);
  const done = async () => (await items.findOne({ _id: 'pr:r1' }))?.stage === 'InventoryAvailable';
  await eventually(done, { what: 'pr:r1 built', timeoutMs: 20_000 });
  const item = (await items.findOne({ _id: 'pr:r1' }))!;
  const completedAt = item.history.find((step) => step.stage === 'FactoryComplete')!.at.getTime();
  expect(completedAt - item.buildEndsAt!.getTime()).toBeLessThanOrEqual(ON_TIME_MS);

  // Nothing due now: over 6 s the scheduler passes at most once per IDLE_MS (plus one).
  await new Promise((resolve) => setTimeout(resolve, 500));
  schedulerFinds = 0;
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const passes = 6000 / IDLE_MS + 1;
  // At most 6 finds a pass (what is due, slots, the queue) and 1 for the next build's end; one pass per
  // tick would be ~24 passes.
  expect(schedulerFinds).toBeLessThanOrEqual(passes * 7);
});
