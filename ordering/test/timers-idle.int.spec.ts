import { FULFILMENTS, type FulfilmentDocument, type ServiceReactions, systemClock } from '@az-shop/common';
import { eventually, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PICKING_SLOTS } from '../src/picking/slots';
import { registerOrderingProcessors } from '../src/processors';
import {
  collections,
  order,
  output,
  payment,
  seedProducts,
  silentLogger,
  testOrderingConfig,
} from './support/fixtures';

let mongo: TestMongo;
let client: MongoClient;
let ordering: ServiceReactions | undefined;
/** `find`s the timers send (on the collections they read), as the driver's command monitoring sees them. */
let timerFinds = 0;

beforeAll(async () => {
  mongo = await startTestMongo();
  client = new MongoClient(mongo.uri, { monitorCommands: true });
  client.on('commandStarted', (event) => {
    const target = event.command.find;
    if (target === FULFILMENTS || target === PICKING_SLOTS) timerFinds++;
  });
  await client.connect();
});
afterAll(async () => {
  await ordering?.stop();
  await client?.close();
  await mongo?.stop();
});

const TICK_MS = 250; // production's defaults
const IDLE_MS = 2000;
/** How late a timer may move a fulfilment on: one tick, and room for a loaded machine. */
const ON_TIME_MS = TICK_MS + 500;

it('idle durable timers send a few finds, not one pass per tick, and a deadline sooner than the idle pause still fires on time', async () => {
  const db = client.db(`timers_idle_${process.pid}`);
  await seedProducts(db, ['p1']);
  ordering = registerOrderingProcessors(
    {
      db,
      logger: silentLogger,
      clock: systemClock,
      // Deadlines one second ahead: less than the idle pause, so only sleeping until them is on time.
      config: {
        ...testOrderingConfig,
        ORDERING_TICK_MS: TICK_MS,
        ORDERING_IDLE_MS: IDLE_MS,
        PICKING_SECONDS: 1,
        DELIVERY_SECONDS: 1,
      },
    },
    { leases: false },
  );
  await ordering.start();
  const c = collections(db);
  await c.outputs.insertOne(output('out1', 'p1', 5));
  const placed = order('o1', [{ productId: 'p1', qty: 1 }]);
  await c.orders.insertOne(placed);
  await c.payments.insertOne(payment(placed));

  const delivered = async () => (await c.fulfilments.findOne({ _id: 'o1' }))?.stage === 'Delivered';
  await eventually(delivered, { what: 'o1 delivered', timeoutMs: 20_000 });
  const fulfilment = (await db.collection<FulfilmentDocument>(FULFILMENTS).findOne({ _id: 'o1' }))!;
  const at = (stage: string) => fulfilment.history.find((step) => step.stage === stage)!.at.getTime();
  // Picking ends PICKING_SECONDS after it starts, delivery DELIVERY_SECONDS after shipping.
  expect(at('Shipped') - (at('Picking') + 1000)).toBeLessThanOrEqual(ON_TIME_MS);
  expect(at('Delivered') - (at('Shipped') + 1000)).toBeLessThanOrEqual(ON_TIME_MS);

  // Nothing due now: over 6 s the timers pass at most once per IDLE_MS (plus one), each pass a few finds.
  await new Promise((resolve) => setTimeout(resolve, 500));
  timerFinds = 0;
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const passes = 6000 / IDLE_MS + 1;
  // 8 finds a pass (what is due, slots) and 3 for the next deadlines; one pass per tick would be ~24 passes.
  expect(timerFinds).toBeLessThanOrEqual(passes * 11);
});
