import { startMongoServer } from '@az-shop/mongo-emulator';
import type { Db, Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyOnce,
  createProcessor,
  deterministicId,
  listParked,
  type Processor,
  type ProcessorEvent,
  replayParked,
  requestReplay,
  updateIfStage,
  updateIfVersion,
} from '../../src/processor';
import { connect, insertEvents, quietLogger, waitFor } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
let dbCounter = 0;

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  ({ client } = await connect(server.uri, 'unused'));
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

function freshDb(): Db {
  return client.db(`proc_${process.pid}_${dbCounter++}`);
}

/** A handler recording per-key order and counting duplicates, as a ledger in memory. */
function recorder() {
  const lastSeq = new Map<string, number>();
  const seen = new Set<string>();
  const orderViolations: string[] = [];
  const running = new Set<string>();
  let duplicates = 0;
  let concurrentSameKey = 0;
  return {
    seen,
    get duplicates() {
      return duplicates;
    },
    orderViolations,
    get concurrentSameKey() {
      return concurrentSameKey;
    },
    handle: async (event: ProcessorEvent) => {
      const doc = event.fullDocument as { _id: string; partition_key: string; seq: number };
      if (running.has(doc.partition_key)) concurrentSameKey++;
      running.add(doc.partition_key);
      await new Promise((resolve) => setImmediate(resolve));
      const last = lastSeq.get(doc.partition_key) ?? -1;
      if (seen.has(doc._id)) duplicates++;
      else if (doc.seq < last) orderViolations.push(`${doc.partition_key}: ${doc.seq} after ${last}`);
      seen.add(doc._id);
      lastSeq.set(doc.partition_key, Math.max(last, doc.seq));
      running.delete(doc.partition_key);
    },
  };
}

describe('change-stream processor (dev Mongo server)', () => {
  it('10,000 events over 200 keys: each handled once, per-key order kept, no key handled concurrently', async () => {
    const db = freshDb();
    const rec = recorder();
    const processor = createProcessor({
      name: 'test.burst',
      db,
      collection: 'events',
      logger: quietLogger,
      concurrency: 32,
      handle: rec.handle,
    });
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming');
    await insertEvents(db, 'events', 0, 10_000, 200, 500);
    await waitFor(
      () => rec.seen.size === 10_000,
      120_000,
      () => `handled ${rec.seen.size}`,
    );
    await processor.stop();
    expect(rec.duplicates).toBe(0);
    expect(rec.orderViolations).toEqual([]);
    expect(rec.concurrentSameKey).toBe(0);
    const checkpoint = await db
      .collection('checkpoints')
      .findOne({ _id: 'test.burst' as unknown as Document['_id'] });
    expect(checkpoint?.token).toBeDefined();
  });

  it('catch-up: existing documents first, then the stream from the catch-up start, with no gap', async () => {
    const db = freshDb();
    await insertEvents(db, 'events', 0, 500, 20);
    const rec = recorder();
    const processor = createProcessor({
      name: 'test.catchup',
      db,
      collection: 'events',
      logger: quietLogger,
      handle: rec.handle,
    });
    const ready = processor.readiness();
    expect((await ready()).ok).toBe(false);
    const starting = processor.start();
    // Writes racing with the catch-up scan are seen by the scan or by the stream (or both).
    await insertEvents(db, 'events', 500, 500, 20);
    await starting;
    await waitFor(
      () => rec.seen.size === 1000,
      60_000,
      () => `handled ${rec.seen.size}`,
    );
    await waitFor(async () => (await ready()).ok);
    await insertEvents(db, 'events', 1000, 100, 20);
    await waitFor(() => rec.seen.size === 1100);
    await processor.stop();
    expect(rec.orderViolations).toEqual([]);
    expect((await ready()).ok).toBe(false);
  });

  it('catch-up applies the pipeline’s $match to existing documents, as the stream does to changes', async () => {
    const db = freshDb();
    await db.collection('items').insertMany([
      { _id: 'a1', partition_key: 'k1', kind: 'wanted' },
      { _id: 'b1', partition_key: 'k1', kind: 'other' },
    ] as Document[]);
    const handled: string[] = [];
    const processor = createProcessor({
      name: 'test.filtered-catchup',
      db,
      collection: 'items',
      pipeline: [{ $match: { 'fullDocument.kind': 'wanted' } }],
      logger: quietLogger,
      handle: async (event: ProcessorEvent) => {
        handled.push(`${event.source}:${String(event.documentKey._id)}`);
      },
    });
    await processor.start();
    await db.collection('items').insertMany([
      { _id: 'a2', partition_key: 'k2', kind: 'wanted' },
      { _id: 'b2', partition_key: 'k2', kind: 'other' },
    ] as Document[]);
    // a2 races with the catch-up scan: the scan, the stream or both may see it; b* never.
    await waitFor(
      () => handled.some((entry) => entry.endsWith(':a2')),
      10_000,
      () => handled.join(','),
    );
    await processor.stop();
    expect(handled).toContain('catch-up:a1');
    expect(handled.filter((entry) => entry.endsWith(':b1') || entry.endsWith(':b2'))).toEqual([]);
    expect(() =>
      createProcessor({
        name: 'test.unfilterable',
        db,
        collection: 'items',
        pipeline: [{ $match: { 'updateDescription.updatedFields.kind': 'wanted' } }],
        logger: quietLogger,
        handle: async () => {},
      }),
    ).toThrow(/pass catchUpFilter/);
  });

  it('restart resumes from the checkpoint: nothing lost, nothing from before the checkpoint again', async () => {
    const db = freshDb();
    const rec = recorder();
    const options = {
      name: 'test.resume',
      db,
      collection: 'events',
      logger: quietLogger,
      handle: rec.handle,
    };
    let processor: Processor = createProcessor(options);
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming');
    await insertEvents(db, 'events', 0, 300, 10);
    await waitFor(() => rec.seen.size === 300);
    await processor.stop();
    await insertEvents(db, 'events', 300, 300, 10);
    processor = createProcessor(options);
    await processor.start();
    await waitFor(() => rec.seen.size === 600);
    await processor.stop();
    expect(rec.duplicates).toBe(0);
    expect(rec.orderViolations).toEqual([]);
  });

  it('a poison event is parked after N attempts, its partition moves on, and it can be replayed', async () => {
    const db = freshDb();
    const handled: string[] = [];
    let healed = false;
    const handle = async (event: ProcessorEvent) => {
      const doc = event.fullDocument as { _id: string; poison?: boolean };
      if (doc.poison && !healed) throw new Error(`cannot handle ${doc._id}`);
      handled.push(doc._id);
    };
    const processor = createProcessor({
      name: 'test.poison',
      db,
      collection: 'events',
      logger: quietLogger,
      maxAttempts: 3,
      retryBaseMs: 5,
      replayPollMs: 100,
      handle,
    });
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming');
    const events = db.collection<Document>('events');
    await events.insertMany([
      { _id: 'a1', partition_key: 'a' },
      { _id: 'a2', partition_key: 'a', poison: true },
      { _id: 'a3', partition_key: 'a' },
      { _id: 'b1', partition_key: 'b', poison: true },
    ] as Document[]);
    await waitFor(() => handled.includes('a3'));
    await waitFor(async () => (await listParked(db, 'test.poison')).length === 2);
    const parked = await listParked(db, 'test.poison');
    expect(parked.map((p) => p.event.documentKey._id).sort()).toEqual(['a2', 'b1']);
    expect(parked[0]!.attempts).toBe(3);
    expect(parked[0]!.error.message).toMatch(/cannot handle/);
    expect(handled).toEqual(['a1', 'a3']);

    healed = true;
    const a2 = parked.find((p) => p.event.documentKey._id === 'a2')!;
    expect(await replayParked(db, a2._id, handle)).toEqual({ ok: true });
    // The operator's way (CLI): mark for replay, the running processor replays with its handler.
    expect(await requestReplay(db, 'test.poison')).toBe(1);
    await waitFor(() => handled.includes('b1'));
    await waitFor(async () => (await listParked(db, 'test.poison')).length === 0);
    expect((await listParked(db, 'test.poison', { includeReplayed: true })).map((p) => p.status)).toEqual([
      'replayed',
      'replayed',
    ]);
    await processor.stop();
  });

  it('cosmos mode: sends the documented pipeline and options, and works end to end (no deletes, no operationType)', async () => {
    const { client: monitored, db: base } = await connect(`${server.uri}&monitorCommands=true`, 'unused');
    const db = monitored.db(`proc_${process.pid}_cosmos`);
    const aggregates: Document[] = [];
    monitored.on('commandStarted', (event) => {
      if (event.commandName === 'aggregate') aggregates.push(event.command);
    });
    const received: ProcessorEvent[] = [];
    const processor = createProcessor({
      name: 'test.cosmos',
      db,
      collection: 'events',
      mode: 'cosmos',
      logger: quietLogger,
      handle: async (event) => {
        received.push(event);
      },
    });
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming');
    const events = db.collection<Document>('events');
    await events.insertOne({ _id: 'c1', partition_key: 'p', v: 1 } as Document);
    await events.updateOne({ _id: 'c1' } as Document, { $set: { v: 2 } });
    await waitFor(() => received.length === 2);
    await events.deleteOne({ _id: 'c1' } as Document);
    await events.insertOne({ _id: 'c2', partition_key: 'p', v: 1 } as Document);
    await waitFor(() => received.length >= 3);
    await processor.stop();
    expect(received.map((e) => [e.documentKey._id, e.operationType, e.fullDocument?.v ?? null])).toEqual([
      ['c1', undefined, 1],
      ['c1', undefined, 2],
      ['c2', undefined, 1],
    ]);
    const watch = aggregates.find((command) => command.pipeline?.[0]?.$changeStream);
    expect(watch?.pipeline).toEqual([
      { $changeStream: { fullDocument: 'updateLookup' } },
      { $match: { operationType: { $in: ['insert', 'update', 'replace'] } } },
      { $project: { _id: 1, fullDocument: 1, ns: 1, documentKey: 1 } },
    ]);
    await monitored.close();
    void base;
  });

  it('cosmos mode with leases: one stream per owned bucket, every event handled, per-bucket checkpoints', async () => {
    const db = freshDb();
    const rec = recorder();
    const processor = createProcessor({
      name: 'test.cosmosLeases',
      db,
      collection: 'events',
      mode: 'cosmos',
      leases: { buckets: 4, ttlMs: 3000 },
      logger: quietLogger,
      handle: rec.handle,
    });
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming' && processor.status().buckets.length === 4);
    await insertEvents(db, 'events', 0, 400, 40);
    await waitFor(
      () => rec.seen.size === 400,
      60_000,
      () => `handled ${rec.seen.size}`,
    );
    await processor.stop();
    expect(rec.orderViolations).toEqual([]);
    expect(await db.collection('checkpoints').countDocuments({ processor: 'test.cosmosLeases' })).toBe(4);
    expect(
      await db.collection('leases').countDocuments({ processor: 'test.cosmosLeases', owner: { $ne: null } }),
    ).toBe(0);
  });

  it('idempotency helpers: applied twice, the effect is once', async () => {
    const db = freshDb();
    const stock = db.collection<{ _id: string; onHand: number; stage?: string; version?: number }>('stock');
    await stock.insertOne({ _id: 'p1', onHand: 0, stage: 'New', version: 1 });
    const marker = deterministicId('factory_output', 'out-1');
    expect(await applyOnce(stock, { _id: 'p1' }, marker, { $inc: { onHand: 5 } })).toBe('applied');
    expect(await applyOnce(stock, { _id: 'p1' }, marker, { $inc: { onHand: 5 } })).toBe('duplicate');
    expect(await applyOnce(stock, { _id: 'nope' }, marker, { $inc: { onHand: 5 } })).toBe('missing');
    expect(await updateIfStage(stock, 'p1', 'New', { $set: { stage: 'Ready' } })).toBe('applied');
    expect(await updateIfStage(stock, 'p1', 'New', { $set: { stage: 'Ready' } })).toBe('stale');
    expect(await updateIfVersion(stock, 'p1', 1, { $inc: { onHand: 1 } })).toBe('applied');
    expect(await updateIfVersion(stock, 'p1', 1, { $inc: { onHand: 1 } })).toBe('stale');
    for (let i = 0; i < 5; i++)
      await applyOnce(stock, { _id: 'p1' }, `m${i}`, { $inc: { onHand: 0 } }, { maxMarkers: 3 });
    const doc = await stock.findOne({ _id: 'p1' });
    expect(doc).toMatchObject({ onHand: 6, stage: 'Ready', version: 2, _applied: ['m2', 'm3', 'm4'] });
  });
});
