import { startMongoServer } from '@az-shop/mongo-emulator';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bucketOf } from '../../src/processor/buckets';
import { CHECKPOINTS } from '../../src/processor/checkpoints';
import { planLeases } from '../../src/processor/lease-plan';
import { LEASES } from '../../src/processor/leases';
import { createProcessor, type Processor } from '../../src/processor/processor';
import type { ProcessorEvent } from '../../src/processor/types';
import { delay, quietLogger, waitFor } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let plain: MongoClient;
let monitored: MongoClient;
/** Pages of the catch-up scan instance A reads (`find`s on the followed collection). */
let scanPages = 0;
const processors: Processor[] = [];

const NAME = 'test.scan.removal';
const COLLECTION = 'scan_events';
const BUCKETS = 16;
// Long enough that a loaded machine does not let A's leases lapse (which would change what moves).
const TTL_MS = 6000;
const DOCUMENTS = 12_000; // 12 pages of the scan's 1000

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  plain = await new MongoClient(server.uri).connect();
  monitored = new MongoClient(server.uri, { monitorCommands: true });
  monitored.on('commandStarted', (event) => {
    if (event.command.find === COLLECTION) scanPages++;
  });
  await monitored.connect();
});

afterAll(async () => {
  await Promise.all(processors.map((p) => p.stop()));
  await monitored?.close();
  await plain?.close();
  await server?.stop();
});

const dbName = `scan_removal_${process.pid}`;

function processorOf(db: Db, owner: string): Processor {
  const processor = createProcessor({
    name: NAME,
    db,
    collection: COLLECTION,
    logger: quietLogger,
    concurrency: 4,
    maxBuffered: 20,
    checkpointIntervalMs: 100,
    replayPollMs: 0,
    leases: { ttlMs: TTL_MS, buckets: BUCKETS, owner },
    // Slow enough that catching up on every document would take many seconds.
    handle: async (_event: ProcessorEvent) => {
      await delay(5);
    },
  });
  processors.push(processor);
  return processor;
}

async function bucketsOf(owner: string): Promise<string> {
  const leases = await plain
    .db(dbName)
    .collection<{ bucket: number }>(LEASES)
    .find({ processor: NAME, kind: 'lease', owner, expiresAt: { $gt: new Date() } })
    .toArray();
  return leases
    .map((lease) => lease.bucket)
    .sort((x, y) => x - y)
    .join(',');
}

it('a catch-up scan stops once every bucket it was for has left the stream', async () => {
  const db = plain.db(dbName);
  // A first run checkpoints every bucket (nothing to catch up on), then stops.
  const first = processorOf(monitored.db(dbName), 'A');
  await first.start();
  await waitFor(
    async () => (await db.collection(CHECKPOINTS).countDocuments({ processor: NAME })) === BUCKETS,
  );
  await first.stop();

  // The buckets A will give B once B is a member lose their checkpoint: only they catch up, by a scan.
  const all = [...Array(BUCKETS).keys()].map((bucket) => ({
    bucket,
    owner: 'A',
    expiresAt: Date.now() + TTL_MS,
  }));
  const plan = planLeases({
    me: 'A',
    buckets: BUCKETS,
    liveMembers: ['A', 'B'],
    leases: all,
    now: Date.now(),
  });
  const leaving = new Set(plan.release);
  expect(leaving.size).toBe(BUCKETS / 2);
  await db.collection(CHECKPOINTS).deleteMany({ processor: NAME, bucket: { $in: [...leaving] } });
  const keys: string[] = [];
  for (let i = 0; keys.length < DOCUMENTS; i++)
    if (leaving.has(bucketOf(`k${i}`, BUCKETS))) keys.push(`k${i}`);
  for (let i = 0; i < DOCUMENTS; i += 1000)
    await db
      .collection<{ _id: string; partition_key: string }>(COLLECTION)
      .insertMany(keys.slice(i, i + 1000).map((key) => ({ _id: key, partition_key: key })));

  const a = processorOf(monitored.db(dbName), 'A');
  scanPages = 0;
  await a.start();
  await waitFor(() => a.status().state === 'catchingUp' && scanPages > 0);
  const b = processorOf(plain.db(dbName), 'B');
  await b.start();
  await waitFor(
    async () => (await bucketsOf('B')) === [...leaving].sort((x, y) => x - y).join(','),
    30_000,
    async () => `B holds ${await bucketsOf('B')}`,
  );
  await waitFor(
    () => a.status().state === 'streaming',
    30_000,
    () => `A is ${a.status().state} with ${a.status().buckets.length} buckets, ${scanPages} pages read`,
  );
  const pagesAtHandOver = scanPages;
  await delay(1500);
  // Without the stop the scan reads on to the collection's end, for buckets no longer here.
  expect(scanPages).toBe(pagesAtHandOver);
  expect(scanPages).toBeLessThan(DOCUMENTS / 1000);
}, 120_000);
