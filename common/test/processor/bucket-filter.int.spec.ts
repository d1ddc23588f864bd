import { type ChangeStream, type Db, type Document, MongoClient, ObjectId, Timestamp } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKETING, bucketOf, createProcessor, enablePreImages } from '../../src/processor';
import { bucketFilterStage } from '../../src/processor/bucket-filter';
import {
  CHECKPOINTS,
  type CheckpointDoc,
  loadCheckpoints,
  saveCheckpoints,
} from '../../src/processor/checkpoints';
import { partitionKeyOf } from '../../src/processor/routing';
import { buildWatchArgs, normalizeChange } from '../../src/processor/stream-source';
import { silentLogger, startTestMongo, type TestMongo } from '../../src/testing';
import { delay, waitFor } from './helpers';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => mongo?.stop());

interface Thing {
  _id: string | ObjectId;
  partition_key?: unknown;
  v: number;
}

const BUCKETS = 16;
/** Four instances' shares of the 16 buckets. */
const SHARES = [0, 1, 2, 3].map((i) => [...Array(BUCKETS).keys()].filter((b) => b % 4 === i));

async function drain(stream: ChangeStream): Promise<Document[]> {
  const events: Document[] = [];
  for (;;) {
    const event = await stream.tryNext();
    if (!event) return events;
    events.push(event);
  }
}

describe('server-side bucket filter', () => {
  it("sends each event to the instance owning its key's bucket, as the instance itself routes it", async () => {
    const db = mongo.freshDb();
    const coll = db.collection<Thing>('things');
    await enablePreImages(db, 'things');
    const streams = SHARES.map((share) => {
      const { pipeline, options } = buildWatchArgs({
        mode: 'mongo',
        start: {},
        preImages: true,
        bucketFilter: bucketFilterStage(BUCKETS, share),
      });
      return coll.watch(pipeline, { ...options, maxAwaitTimeMS: 200 });
    });
    const plain = buildWatchArgs({ mode: 'mongo', start: {}, preImages: true });
    const unfiltered = coll.watch(plain.pipeline, { ...plain.options, maxAwaitTimeMS: 200 });
    await Promise.all([...streams, unfiltered].map((s) => s.tryNext()));

    // String keys, ObjectId _ids without a key, numeric keys (not bucketed by the server), then
    // updates, replaces and deletes (routed by the pre-image once the document is gone).
    const docs: Thing[] = [
      ...Array.from({ length: 80 }, (_, i) => ({ _id: `s${i}`, partition_key: `customer-${i % 23}`, v: i })),
      ...Array.from({ length: 20 }, (_, i) => ({ _id: new ObjectId(), v: i })),
      { _id: 'n1', partition_key: 42, v: 0 },
    ];
    await coll.insertMany(docs);
    await coll.updateMany({ v: { $lt: 40 } }, { $inc: { v: 1000 } });
    await coll.replaceOne({ _id: 's3' }, { partition_key: 'customer-3', v: -1 });
    await coll.deleteMany({ v: { $gte: 1000 } });

    const received = await Promise.all(streams.map(drain));
    const everything = await drain(unfiltered);
    const all = received.flat();
    const routed = (raw: Document) => {
      const event = normalizeChange(raw)!;
      const { key } = partitionKeyOf(event, (doc) => doc.partition_key);
      return { token: JSON.stringify(raw._id), bucket: bucketOf(key, BUCKETS), numeric: key === '42' };
    };
    // Together the filtered streams carry exactly the changes of the unfiltered one...
    const tokens = (events: Document[]) => new Set(events.map((raw) => JSON.stringify(raw._id)));
    expect(tokens(all)).toEqual(tokens(everything));
    expect(everything.length).toBe(docs.length + 61 + 1 + 60); // inserts, updates, replace, deletes
    // ...each one (keyed by a string or an ObjectId) only on the instance owning its bucket.
    received.forEach((events, i) => {
      for (const raw of events) {
        const { bucket, numeric } = routed(raw);
        if (!numeric) expect(SHARES[i]).toContain(bucket);
      }
    });
    // A numeric key is not bucketed by the server: its 3 changes reach every instance.
    const numeric = everything.filter((raw) => routed(raw).numeric).length;
    expect(numeric).toBe(3);
    expect(all.filter((raw) => routed(raw).numeric)).toHaveLength(numeric * SHARES.length);
    expect(all.length).toBe(everything.length + numeric * (SHARES.length - 1));
    for (const events of received) expect(events.length).toBeGreaterThan(everything.length / 8);
    await Promise.all([...streams, unfiltered].map((s) => s.close()));
  });
});

describe('processors sharing a collection through leases', () => {
  it('each instance asks the server for its own buckets only, and together they handle every event once', async () => {
    const client = new MongoClient(mongo.uri, { monitorCommands: true });
    await client.connect();
    const filters: { owner: string; remainders: number[] }[] = [];
    client.on('commandStarted', (event) => {
      const stages = event.commandName === 'aggregate' ? (event.command.pipeline as Document[]) : [];
      const filter = stages.find((stage) => JSON.stringify(stage).includes('$toHashedIndexKey'));
      if (filter) {
        const remainders = filter.$match.$expr.$let.in.$cond[1].$in[1] as number[];
        filters.push({ owner: String(event.connectionId), remainders });
      }
    });
    const db = client.db(mongo.freshDb().databaseName);
    const handledBy = new Map<string, string[]>();
    const start = (owner: string) =>
      createProcessor({
        name: 'test.bucketFilter.leases',
        db,
        collection: 'events',
        logger: silentLogger,
        leases: { buckets: BUCKETS, ttlMs: 3000, owner },
        handle: async (event) => {
          handledBy.set(owner, [...(handledBy.get(owner) ?? []), String(event.documentKey._id)]);
        },
      });
    const a = start('A');
    const b = start('B');
    try {
      await a.start();
      await b.start();
      const owned = async (owner: string) =>
        db
          .collection('leases')
          .countDocuments({ processor: 'test.bucketFilter.leases', kind: 'lease', owner });
      await waitFor(async () => (await owned('A')) === 8 && (await owned('B')) === 8, 30_000);
      await waitFor(() => a.status().state === 'streaming' && b.status().state === 'streaming', 30_000);
      const total = 400;
      await db
        .collection<{ _id: string; partition_key: string }>('events')
        .insertMany(
          Array.from({ length: total }, (_, i) => ({ _id: `e${i}`, partition_key: `key-${i % 50}` })),
        );
      const handled = () => [...handledBy.values()].flat();
      await waitFor(
        () => handled().length >= total,
        30_000,
        () => `handled ${handled().length}`,
      );
      await delay(200);
      expect(new Set(handled()).size).toBe(total);
      expect(handled()).toHaveLength(total);
      // The streams open now each name 8 buckets (16 remainders but for bucket 0), disjoint, covering all.
      const bucketsOf = (remainders: number[]) => new Set(remainders.map((r) => (r + BUCKETS) % BUCKETS));
      const latest = filters.slice(-2).map((f) => bucketsOf(f.remainders));
      expect(latest.map((set) => set.size)).toEqual([8, 8]);
      expect(new Set([...latest[0]!, ...latest[1]!]).size).toBe(BUCKETS);
      for (const [owner, ids] of handledBy) {
        const buckets = new Set(ids.map((id) => bucketOf(`key-${Number(id.slice(1)) % 50}`, BUCKETS)));
        expect(buckets.size, owner).toBeLessThanOrEqual(8);
      }
    } finally {
      await a.stop();
      await b.stop();
      await client.close();
    }
  }, 90_000);
});

describe('buckets without events', () => {
  it('move their checkpoints with the stream, so a restart does not resume from long ago', async () => {
    const db = mongo.freshDb();
    const processor = createProcessor({
      name: 'test.bucketFilter.quiet',
      db,
      collection: 'quiet',
      logger: silentLogger,
      maxAwaitTimeMS: 100,
      checkpointIntervalMs: 100,
      idleCheckpointMs: 300,
      leases: { buckets: 4, ttlMs: 3000, owner: 'Q' },
      handle: async () => undefined,
    });
    await processor.start();
    try {
      await waitFor(() => processor.status().state === 'streaming', 30_000);
      // Writes elsewhere move the cluster time; the watched collection gets none.
      let last: Timestamp | undefined;
      for (let i = 0; i < 20; i++) {
        await db.collection('busy').insertOne({ i });
        last = (await db.command({ ping: 1 })).operationTime as Timestamp;
        await delay(20);
      }
      const checkpoints = db.collection<CheckpointDoc>(CHECKPOINTS);
      await waitFor(
        async () => {
          const docs = await checkpoints.find({ processor: 'test.bucketFilter.quiet' }).toArray();
          return (
            docs.length === 4 && docs.every((doc) => doc.clusterTime && doc.clusterTime.compare(last!) >= 0)
          );
        },
        30_000,
        async () => JSON.stringify(await checkpoints.find().toArray()),
      );
    } finally {
      await processor.stop();
    }
  });
});

describe('an idle processor', () => {
  it('does not save a checkpoint for every empty batch (its own saves would keep it busy forever)', async () => {
    const db = mongo.freshDb();
    const processor = createProcessor({
      name: 'test.bucketFilter.idle',
      db,
      collection: 'quiet',
      logger: silentLogger,
      maxAwaitTimeMS: 100,
      checkpointIntervalMs: 100,
      leases: { buckets: 4, ttlMs: 3000, owner: 'I' },
      handle: async () => undefined,
    });
    await processor.start();
    try {
      const checkpoints = db.collection<CheckpointDoc>(CHECKPOINTS);
      const saved = async () =>
        (await checkpoints.find({ processor: 'test.bucketFilter.idle' }).toArray())
          .map((doc) => doc.updatedAt.getTime())
          .sort();
      await waitFor(async () => (await saved()).length === 4, 30_000);
      const before = await saved();
      for (let i = 0; i < 15; i++) {
        await db.collection('busy').insertOne({ i });
        await delay(100);
      }
      expect(await saved()).toEqual(before);
    } finally {
      await processor.stop();
    }
  });
});

describe('checkpoints across a change of bucket function', () => {
  it('resumes a bucket saved under another function from the oldest such checkpoint; current ones stay exact', async () => {
    const db: Db = mongo.freshDb();
    const stamp = (t: number) => new Timestamp({ t, i: 1 });
    // An older release's checkpoints: no `bucketing` field.
    await db.collection<CheckpointDoc>(CHECKPOINTS).insertMany(
      [5, 3, 9].map((t, bucket) => ({
        _id: `p#${bucket}`,
        processor: 'p',
        bucket,
        token: { _data: `old-${bucket}` },
        clusterTime: stamp(t),
        updatedAt: new Date(),
      })),
    );
    let loaded = await loadCheckpoints(db, 'p', [0, 2]);
    expect(loaded.get(0)).toEqual({ clusterTime: stamp(3) });
    expect(loaded.get(2)).toEqual({ clusterTime: stamp(3) });

    await saveCheckpoints(db, 'p', [
      { bucket: 0, position: { token: { _data: 'new-0' }, clusterTime: stamp(12) } },
    ]);
    expect((await db.collection(CHECKPOINTS).findOne({ _id: 'p#0' as never }))?.bucketing).toBe(BUCKETING);
    loaded = await loadCheckpoints(db, 'p', [0, 2, 7]);
    expect(loaded.get(0)).toEqual({ token: { _data: 'new-0' }, clusterTime: stamp(12) });
    expect(loaded.get(2)).toEqual({ clusterTime: stamp(3) });
    expect(loaded.has(7)).toBe(false); // never saved: catch-up, as before
  });
});
