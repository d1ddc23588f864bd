import type { ChildProcess } from 'node:child_process';
import {
  handOver,
  heldByOthers,
  LEASES,
  liveProcessors,
  type ReleaseColour,
  readActiveColour,
  readOwnership,
  setActiveColour,
} from '@az-shop/common';
import { eventually, silentLogger, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import type { Db } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startServiceProcess, stopGracefully } from './support/child';
import { collections, order, payment, seedProducts, stockBalanceProblems } from './support/fixtures';

let mongo: TestMongo | undefined;
const children: ChildProcess[] = [];

let stopStream: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stopStream?.();
  stopStream = undefined;
  for (const child of children.splice(0)) await stopGracefully(child);
  await mongo?.stop();
  mongo = undefined;
});

const products = ['p1', 'p2', 'p3'];
// Short enough to keep the test quick, long enough that a loaded 2-core machine rarely lets one lapse.
const LEASE_TTL_MS = 3_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LeaseRecord {
  processor: string;
  kind: string;
  bucket: number;
  owner: string | null;
  expiresAt: Date;
  colour?: string;
}

/** Samples the leases every 25 ms: the longest time any bucket was without a live owner. */
function watchLeases(db: Db) {
  const lastOwned = new Map<string, number>();
  let longestUnowned = 0;
  let worst = '';
  let running = true;
  const done = (async () => {
    while (running) {
      const now = Date.now();
      const leases = await db.collection<LeaseRecord>(LEASES).find({ kind: 'lease' }).toArray();
      for (const lease of leases) {
        const key = `${lease.processor}#${lease.bucket}`;
        const live = lease.owner !== null && lease.expiresAt.getTime() > now;
        if (live || !lastOwned.has(key)) {
          lastOwned.set(key, now);
          continue;
        }
        const gap = now - lastOwned.get(key)!;
        if (gap > longestUnowned) {
          longestUnowned = gap;
          worst = key;
        }
      }
      await sleep(25);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { longestUnowned, worst };
    },
  };
}

describe('blue-green hand-over of the processors', () => {
  it('promote, roll back, promote again under a steady stream of orders: every order settles once and stock balances', {
    timeout: 240_000,
  }, async () => {
    mongo = await startTestMongo();
    const db = mongo.freshDb();
    const c = collections(db);
    await seedProducts(db, products);
    const env = (colour: ReleaseColour) => ({
      MONGO_URI: mongo!.uri,
      DB_NAME: db.databaseName,
      RELEASE_COLOUR: colour,
      LEASE_TTL_MS: String(LEASE_TTL_MS),
      RELEASE_POLL_MS: '200',
    });
    await setActiveColour(db, 'blue', 'test');
    const start = (service: 'ordering' | 'factory', colour: ReleaseColour) =>
      startServiceProcess(service, env(colour)).then((child) => {
        children.push(child);
        return child;
      });
    const [, , greenOrdering, greenFactory] = await Promise.all([
      start('ordering', 'blue'),
      start('factory', 'blue'),
      start('ordering', 'green'),
      start('factory', 'green'),
    ]);
    const leases = watchLeases(db);

    // No stock at first: every order is backordered, built by the factory, reserved, paid,
    // picked, shipped and delivered, all while the processors change colour.
    let placed = 0;
    let streaming = true;
    const stream = (async () => {
      while (streaming) {
        const doc = order(`o${placed}`, [{ productId: products[placed % products.length]!, qty: 1 }]);
        await c.orders.insertOne(doc);
        await c.payments.insertOne(payment(doc));
        placed++;
        await sleep(15);
      }
    })();

    const ownership = async () => (await readOwnership(db)).processors;
    await eventually(async () => Object.keys(await ownership()).length >= 6, {
      timeoutMs: 30_000,
      what: 'blue holds the leases of ordering and factory',
    });
    for (const { byColour } of Object.values(await ownership())) expect(byColour.green).toBeUndefined();

    const hand = (to: ReleaseColour) =>
      handOver({ db, to, by: 'test', logger: silentLogger, timeoutMs: 20_000, watchMs: 1_500, pollMs: 100 });
    for (const to of ['green', 'blue', 'green'] as const) {
      await sleep(1_000);
      const result = await hand(to);
      if (!result.ok) throw new Error(`hand-over to ${to} failed: ${result.reason}`);
      // Nothing of the other colour holds a bucket (a lease lapsing under load is retaken by `to`).
      expect(heldByOthers(await readOwnership(db), to)).toEqual([]);
    }

    // The gaps are measured over the hand-overs that succeed; a failed one waits out its timeout.
    const gaps = await leases.stop();

    // A hand-over to a colour that cannot take it (its processes are gone) fails and hands back.
    await Promise.all([stopGracefully(greenOrdering), stopGracefully(greenFactory)]);
    await eventually(async () => (await readActiveColour(db)) === 'green', { what: 'green still active' });
    // Green stopped and released its leases; blue stands by, so hand back to blue first.
    expect(await hand('blue')).toMatchObject({ ok: true });
    const failed = await handOver({
      db,
      to: 'green',
      by: 'test',
      logger: silentLogger,
      timeoutMs: 2_000,
      watchMs: 500,
      pollMs: 100,
    });
    expect(failed).toMatchObject({ ok: false, from: 'blue', to: 'green', handedBack: true });
    expect(await readActiveColour(db)).toBe('blue');

    // Paused (the first step of a stop-then-start release): no colour runs, orders wait, none is lost.
    await setActiveColour(db, null, 'test');
    await eventually(async () => liveProcessors(await readOwnership(db)).length === 0, {
      timeoutMs: 20_000,
      what: 'every lease released',
    });
    const handledWhilePaused = await c.fulfilments.countDocuments();
    await sleep(1_000);
    expect(await c.fulfilments.countDocuments()).toBe(handledWhilePaused);
    expect(await hand('blue')).toMatchObject({ ok: true, from: null, to: 'blue' });

    await sleep(1_000);
    streaming = false;
    await stream;

    await eventually(async () => (await c.fulfilments.countDocuments({ stage: 'Delivered' })) === placed, {
      timeoutMs: 120_000,
      intervalMs: 250,
      what: `all ${placed} orders delivered`,
    });
    expect(placed).toBeGreaterThan(100);
    // Once each: one fulfilment per order, each delivered once.
    expect(await c.fulfilments.countDocuments()).toBe(placed);
    const deliveredTwice = await c.fulfilments
      .find({
        $expr: {
          $gt: [
            { $size: { $filter: { input: '$history', cond: { $eq: ['$$this.stage', 'Delivered'] } } } },
            1,
          ],
        },
      })
      .toArray();
    expect(deliveredTwice).toEqual([]);
    for (const product of products) expect(await stockBalanceProblems(db, product)).toEqual([]);
    // A bucket is never without an owner for longer than a lease: the old colour releases, the new takes.
    expect(gaps.longestUnowned, `longest unowned: ${gaps.worst}`).toBeLessThanOrEqual(LEASE_TTL_MS);
  });
});
