import type { ChildProcess } from 'node:child_process';
import type { MongoFlavour } from '@az-shop/common';
import { eventually, startTestMongo, type TestMongo, type TestMongoOptions } from '@az-shop/common/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { killHard, startOrderingProcess, stopGracefully } from './support/child';
import { collections, order, output, seedProducts, stockBalanceProblems, stockOf } from './support/fixtures';
import { FLAVOURS } from './support/flavours';

let mongo: TestMongo | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) await stopGracefully(child);
  await mongo?.stop();
  mongo = undefined;
});

const products = ['p1', 'p2', 'p3', 'p4'];

/**
 * Against MongoDB: 1,000 orders, 150 units per product, with two lease lengths. As Cosmos DB (cosmos
 * mode, a stream per bucket): one run of 300 orders, 45 units and 4 buckets (4 streams per processor
 * rather than 16), to keep `npm test` affordable; the same kill, restart and checks. It throttles 10 %
 * of the service's commands, not the pipeline suites' 2 %: at 2 % a placement repeated after its
 * fulfilment was written, leaving the order Backordered on units held for it, showed once in many CI
 * runs; at 5 % in one run of three, and at 15 % the outbox flush never got through (both mended).
 */
const RUNS = [
  { flavour: 'mongo', leases: '2 s leases', ttl: '2000', orders: 1000, units: 150 },
  {
    flavour: 'mongo',
    leases: '300 ms leases that lapse and come back',
    ttl: '300',
    orders: 1000,
    units: 150,
  },
  {
    flavour: 'cosmos',
    leases: '2 s leases, 10 % of commands throttled',
    ttl: '2000',
    orders: 300,
    units: 45,
    throttleRate: 0.1,
  },
] as const;

/** The flavour's dev server; as Cosmos DB, throttling `throttleRate` of the services' commands when given. */
function serverFor(flavour: MongoFlavour, throttleRate: number | undefined): TestMongoOptions {
  const { server } = FLAVOURS.find((f) => f.flavour === flavour)!;
  if (throttleRate === undefined || typeof server.cosmos !== 'object') return server;
  return { ...server, cosmos: { ...server.cosmos, throttleRate } };
}

describe('kill -9 of ordering in the middle of an order burst', () => {
  // The restarted process once stopped making progress (a flush spinning on a fulfilment not yet
  // written, holding the slot its creator needed: see stock-sync.ts); the diagnostics below name the
  // stuck stage should anything like it happen again.
  // 300 ms leases lapse all the time on a busy machine, so groups stop and start again mid catch-up:
  // such a stop once checkpointed buckets whose scan had not run, and their documents were never handled.
  it.each(RUNS)(
    'every order reaches the right stage once and stock balances exactly after a restart ($flavour, $orders orders, $leases)',
    { timeout: 240_000 },
    async (run) => {
      const { flavour, ttl, orders: ORDERS, units: UNITS_PER_PRODUCT } = run;
      mongo = await startTestMongo(serverFor(flavour, 'throttleRate' in run ? run.throttleRate : undefined));
      const db = mongo.freshDb();
      const env = {
        MONGO_URI: mongo.uri,
        DB_NAME: db.databaseName,
        LEASES: 'true',
        LEASE_TTL_MS: ttl,
        MONGO_FLAVOUR: flavour,
        BUCKETS: flavour === 'cosmos' ? '4' : '16',
      };
      const c = collections(db);
      await seedProducts(db, products);
      await c.outputs.insertMany(products.map((p) => output(`out-${p}`, p, UNITS_PER_PRODUCT)));

      const first = await startOrderingProcess(env);
      children.push(first);
      const all = Array.from({ length: ORDERS }, (_, i) =>
        order(`o${i}`, [{ productId: products[i % 4]!, qty: 1 }]),
      );
      // The burst goes in while the process works through it; it is killed once 15 % of the orders are done.
      const burst = (async () => {
        for (let i = 0; i < ORDERS; i += 50) await c.orders.insertMany(all.slice(i, i + 50));
      })();
      await eventually(async () => (await c.fulfilments.countDocuments()) >= ORDERS * 0.15, {
        intervalMs: 5,
        what: '15 % done',
      });
      await killHard(first);
      await burst;
      const beforeRestart = await c.fulfilments.countDocuments();
      expect(beforeRestart).toBeLessThan(ORDERS);

      children.push(await startOrderingProcess(env));
      // Settled: every order Reserved or Backordered, every output on the shelf and handed out (the
      // output processor's buckets may change hands after the orders', so wait for both), and every
      // ledger's outbox emptied: it is acknowledged after the fulfilments it told are written, and one
      // left full (as CI once saw) must fail here, with the diagnostics below.
      await eventually(
        async () =>
          (await c.fulfilments.countDocuments({ stage: { $in: ['Reserved', 'Backordered'] } })) === ORDERS &&
          (await c.fulfilments.countDocuments({ stage: 'Reserved' })) ===
            products.length * UNITS_PER_PRODUCT &&
          (await db.collection('stock').countDocuments({ 'toNotify.0': { $exists: true } })) === 0,
        {
          timeoutMs: 150_000,
          intervalMs: 200,
          what: 'every order settled, every unit handed out, every outbox empty',
        },
      ).catch(async (error: Error) => {
        // Say where the orders are stuck, so a failure here can be diagnosed from the log alone.
        const stages = await c.fulfilments
          .aggregate([{ $group: { _id: '$stage', n: { $sum: 1 } } }])
          .toArray();
        const parked = await db
          .collection('parked_events')
          .find({}, { projection: { error: 1, processor: 1 } })
          .limit(5)
          .toArray();
        const checkpoints = await db.collection('checkpoints').find().toArray();
        const ledgers = await db
          .collection('stock')
          .find({}, { projection: { onHand: 1, reserved: 1, appliedOutputs: 1, toNotify: 1 } })
          .toArray();
        throw new Error(
          `${error.message}; fulfilments by stage ${JSON.stringify(stages)}; stock ${JSON.stringify(ledgers)}; parked ${JSON.stringify(parked)}; checkpoints ${checkpoints.length}`,
        );
      });

      for (const productId of products) {
        const orderedHere = all.filter((o) => o.lines[0]?.productId === productId).length;
        const stock = await stockOf(db, productId);
        expect(stock).toMatchObject({
          onHand: UNITS_PER_PRODUCT,
          reserved: UNITS_PER_PRODUCT,
          available: 0,
          toNotify: [],
        });
        const ids = [
          ...stock!.holds.map((h) => h.fulfilmentId),
          ...stock!.waiting.map((w) => w.fulfilmentId),
        ];
        expect(new Set(ids).size).toBe(orderedHere);
        expect(ids).toHaveLength(orderedHere);
        expect(await c.fulfilments.countDocuments({ stage: 'Reserved', 'lines.productId': productId })).toBe(
          UNITS_PER_PRODUCT,
        );
        expect(await stockBalanceProblems(db, productId)).toEqual([]);
      }
      // None twice: one fulfilment per order, and no stage entered twice (a backorder served from
      // the queue goes Placed → Backordered → Reserved).
      const histories = await c.fulfilments.find({}, { projection: { history: 1 } }).toArray();
      expect(histories).toHaveLength(ORDERS);
      for (const f of histories) {
        const stages = f.history.map((h) => h.stage);
        expect(new Set(stages).size).toBe(stages.length);
        expect(stages[0]).toBe('Placed');
      }
    },
  );
});
