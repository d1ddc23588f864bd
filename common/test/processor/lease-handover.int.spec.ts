import type { ChildProcess } from 'node:child_process';
import { startMongoServer } from '@az-shop/mongo-emulator';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/processor/buckets';
import { planLeases } from '../../src/processor/lease-plan';
import { LEASES } from '../../src/processor/leases';
import { createProcessor, type Processor } from '../../src/processor/processor';
import type { ProcessorEvent } from '../../src/processor/types';
import { connect, killed, quietLogger, runFixture, waitFor } from './helpers';

/**
 * A bucket hand-over touches only the buckets that move (docs/processor.md, "Scale-out"): the
 * buckets an instance keeps go on being handled while buckets arrive (catching up from an old
 * checkpoint) or leave (waiting for their running handlers). Each test holds the moving buckets'
 * handlers on a gate, so without that separation the kept buckets would wait for the gate forever.
 */
let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
let db: Db;
const children: ChildProcess[] = [];
const processors: Processor[] = [];

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  ({ client, db } = await connect(server.uri, `handover_${process.pid}`));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(processors.map((p) => p.stop()));
  await client?.close();
  await server?.stop();
});

const BUCKETS = 16;
const TTL_MS = 1500;

/** `count` keys `<prefix><i>` whose bucket is in `buckets`. */
function keysIn(prefix: string, buckets: ReadonlySet<number>, count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++)
    if (buckets.has(bucketOf(`${prefix}${i}`, BUCKETS))) keys.push(`${prefix}${i}`);
  return keys;
}

async function bucketsOf(name: string, owner: string): Promise<Set<number>> {
  const leases = await db
    .collection<{ bucket: number }>(LEASES)
    .find({ processor: name, kind: 'lease', owner, expiresAt: { $gt: new Date() } })
    .toArray();
  return new Set(leases.map((lease) => lease.bucket));
}

/** A leased processor in this process whose handler waits on `gate` for the keys in `held`. */
function gatedProcessor(name: string, owner: string, held: Set<string>, gate: Promise<void>) {
  const started: string[] = [];
  const handled: string[] = [];
  const processor = createProcessor({
    name,
    db,
    collection: 'events',
    logger: quietLogger,
    concurrency: 4,
    maxBuffered: 20,
    checkpointIntervalMs: 100,
    replayPollMs: 0,
    leases: { ttlMs: TTL_MS, buckets: BUCKETS, owner },
    handle: async (event: ProcessorEvent) => {
      const doc = event.fullDocument as { _id: string; partition_key: string };
      started.push(doc._id);
      if (held.has(doc.partition_key)) await gate;
      handled.push(doc._id);
    },
  });
  processors.push(processor);
  return { processor, started, handled };
}

describe('bucket hand-over', () => {
  it('buckets taken from a killed instance catch up on a stream of their own: the kept buckets do not wait for them', async () => {
    const name = 'test.handover.kill';
    const events = db.collection<{ _id: string; partition_key: string }>('events');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const held = new Set<string>();
    const a = gatedProcessor(name, 'A', held, gate);
    await a.processor.start();
    const b = runFixture('ledger-processor.ts', {
      MONGO_URI: server.uri,
      DB_NAME: db.databaseName,
      NAME: name,
      LEASES: '1',
      TTL_MS: String(TTL_MS),
      OWNER: 'B',
    });
    children.push(b);
    await waitFor(
      async () => (await bucketsOf(name, 'A')).size === 8 && (await bucketsOf(name, 'B')).size === 8,
    );
    const moving = await bucketsOf(name, 'B');
    const kept = new Set([...Array(BUCKETS).keys()].filter((bucket) => !moving.has(bucket)));
    b.kill('SIGKILL');
    await killed(b);

    // Written while B is dead: a backlog on B's buckets (more than A buffers) whose handlers wait on
    // the gate once A has them, then events of A's own buckets.
    for (const key of keysIn('moved-', moving, 60)) held.add(key);
    await events.insertMany([...held].map((key) => ({ _id: `backlog-${key}`, partition_key: key })));
    await waitFor(async () => (await bucketsOf(name, 'A')).size === BUCKETS, 30_000);
    const after = keysIn('kept-', kept, 40).map((key) => ({ _id: `after-${key}`, partition_key: key }));
    await events.insertMany(after);

    await waitFor(
      () => after.every((doc) => a.handled.includes(doc._id)),
      20_000,
      () =>
        `kept buckets' events handled: ${after.filter((doc) => a.handled.includes(doc._id)).length} of ${after.length}`,
    );
    open();
    await waitFor(() => [...held].every((key) => a.handled.includes(`backlog-${key}`)), 30_000);
  }, 120_000);

  it('buckets given to a new instance leave without stopping the kept ones, even while a kept bucket is busy', async () => {
    const name = 'test.handover.add';
    const events = db.collection<{ _id: string; partition_key: string }>('events');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    // A alone holds every bucket; it will keep those planLeases keeps for it once B is a member.
    const leases = [...Array(BUCKETS).keys()].map((bucket) => ({
      bucket,
      owner: 'A',
      expiresAt: Date.now() + TTL_MS,
    }));
    const plan = planLeases({ me: 'A', buckets: BUCKETS, liveMembers: ['A', 'B'], leases, now: Date.now() });
    const kept = new Set([...Array(BUCKETS).keys()].filter((bucket) => !plan.release.includes(bucket)));
    const [busyKey = '', ...otherKeys] = keysIn('busy-', kept, 21);
    const held = new Set([busyKey]);
    const a = gatedProcessor(name, 'A', held, gate);
    await a.processor.start();
    await waitFor(async () => (await bucketsOf(name, 'A')).size === BUCKETS);
    await events.insertOne({ _id: 'busy', partition_key: busyKey });
    await waitFor(() => a.started.includes('busy'));

    const b = gatedProcessor(name, 'B', new Set(), Promise.resolve());
    await b.processor.start();
    await waitFor(
      async () => (await bucketsOf(name, 'B')).size === plan.release.length,
      20_000,
      async () => `B holds ${(await bucketsOf(name, 'B')).size} of ${plan.release.length}`,
    );
    const after = otherKeys.map((key) => ({ _id: `after-${key}`, partition_key: key }));
    const given = keysIn('given-', new Set(plan.release), 10).map((key) => ({
      _id: `given-${key}`,
      partition_key: key,
    }));
    await events.insertMany([...after, ...given]);
    await waitFor(
      () =>
        after.every((doc) => a.handled.includes(doc._id)) &&
        given.every((doc) => b.handled.includes(doc._id)),
      20_000,
      () =>
        `A: ${after.filter((doc) => a.handled.includes(doc._id)).length}/${after.length}, B: ${given.filter((doc) => b.handled.includes(doc._id)).length}/${given.length}`,
    );
    expect(a.handled).not.toContain('busy');
    open();
    await waitFor(() => a.handled.includes('busy'));
    expect(given.some((doc) => a.handled.includes(doc._id))).toBe(false);
  }, 120_000);
});
