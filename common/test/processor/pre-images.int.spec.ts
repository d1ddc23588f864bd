import { type Db, type Document, MongoClient, type Timestamp } from 'mongodb';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProcessor,
  enablePreImages,
  type HandlerContext,
  type Processor,
  type ProcessorEvent,
} from '../../src/processor';
import { startTestMongo, type TestMongo } from '../../src/testing';
import { delay, waitFor } from './helpers';

interface Doc {
  _id: string;
  partition_key: string;
  v: number;
}

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => mongo?.stop());

/** A logger keeping its warnings, to count the fallback warning. */
function warningsLogger() {
  const warnings: { msg: string; keyFrom?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
  return { logger, warnings };
}

interface Seen {
  key: string;
  label: string;
  event: ProcessorEvent;
}

/** Records what the handler sees, in handling order, and whether one key ever ran twice at once. */
function recorder() {
  const seen: Seen[] = [];
  const running = new Set<string>();
  let concurrentSameKey = 0;
  return {
    seen,
    get concurrentSameKey() {
      return concurrentSameKey;
    },
    handle: async (event: ProcessorEvent, ctx: HandlerContext) => {
      if (running.has(ctx.partitionKey)) concurrentSameKey++;
      running.add(ctx.partitionKey);
      // Yield for a while, so other keys' events run in between: order must come from the queue.
      await delay(Math.random() * 3);
      seen.push({ key: ctx.partitionKey, label: `${event.operationType}:${event.documentKey._id}`, event });
      running.delete(ctx.partitionKey);
    },
  };
}

async function operationTime(db: Db): Promise<Timestamp> {
  const reply = await db.command({ ping: 1 });
  return reply.operationTime as Timestamp;
}

/** The `$changeStream` stage a processor sends, read off the wire. */
async function watchedStage(run: (db: Db) => Promise<void>): Promise<Document | undefined> {
  const client = new MongoClient(mongo.uri, { monitorCommands: true });
  await client.connect();
  const stages: Document[] = [];
  client.on('commandStarted', (event) => {
    const first = event.commandName === 'aggregate' ? event.command.pipeline?.[0] : undefined;
    if (first?.$changeStream) stages.push(first.$changeStream);
  });
  try {
    await run(client.db(mongo.freshDb().databaseName));
  } finally {
    await client.close();
  }
  return stages[0];
}

describe('change-stream pre-images', () => {
  it('a delete and a late update (document gone before the lookup) are routed to their insert’s partition, in per-key order under concurrency', async () => {
    const db = mongo.freshDb();
    await enablePreImages(db, 'docs');
    const docs = db.collection<Doc>('docs');
    const keyOf = (i: number) => `k${i % 8}`;
    const expected = new Map<string, string[]>();
    const expect_ = (key: string, label: string) => expected.set(key, [...(expected.get(key) ?? []), label]);

    // Every write lands before the stream is read, so updateLookup finds the deleted documents gone.
    const from = await operationTime(db);
    const count = 80;
    for (let i = 0; i < count; i++) {
      await docs.insertOne({ _id: `d${i}`, partition_key: keyOf(i), v: 0 });
      expect_(keyOf(i), `insert:d${i}`);
    }
    for (const v of [1, 2]) {
      for (let i = 0; i < count; i++) {
        await docs.updateOne({ _id: `d${i}` }, { $set: { v } });
        expect_(keyOf(i), `update:d${i}`);
      }
    }
    const deleted = (i: number) => i % 3 !== 0;
    for (let i = 0; i < count; i++) {
      if (!deleted(i)) continue;
      await docs.deleteOne({ _id: `d${i}` });
      expect_(keyOf(i), `delete:d${i}`);
    }
    // The partitions go on after the deletes.
    for (let k = 0; k < 8; k++) {
      await docs.insertOne({ _id: `n${k}`, partition_key: `k${k}`, v: 0 });
      expect_(`k${k}`, `insert:n${k}`);
    }
    const total = [...expected.values()].reduce((sum, labels) => sum + labels.length, 0);

    const rec = recorder();
    const { logger, warnings } = warningsLogger();
    const processor = createProcessor({
      name: 'test.preImages.routing',
      db,
      collection: 'docs',
      logger,
      concurrency: 16,
      startAtOperationTime: from,
      handle: rec.handle,
    });
    await processor.start();
    await waitFor(
      () => rec.seen.length >= total,
      60_000,
      () => `handled ${rec.seen.length} of ${total}`,
    );
    await processor.stop();

    const partitionOf = (id: string) => (id.startsWith('n') ? `k${id.slice(1)}` : keyOf(Number(id.slice(1))));
    for (const { key, event } of rec.seen) expect(key).toBe(partitionOf(String(event.documentKey._id)));
    const handled = new Map<string, string[]>();
    for (const { key, label } of rec.seen) handled.set(key, [...(handled.get(key) ?? []), label]);
    expect(handled).toEqual(expected);
    expect(rec.concurrentSameKey).toBe(0);

    // The late updates had no document, only their pre-image (v 0, then v 1); the deletes saw what they deleted.
    const deletedIds = [...Array(count).keys()].filter(deleted).map((i) => `d${i}`);
    for (const id of deletedIds) {
      const updates = rec.seen.filter(
        ({ event }) => event.operationType === 'update' && event.documentKey._id === id,
      );
      expect(updates.map(({ event }) => [event.fullDocument, event.fullDocumentBeforeChange])).toEqual([
        [null, { _id: id, partition_key: partitionOf(id), v: 0 }],
        [null, { _id: id, partition_key: partitionOf(id), v: 1 }],
      ]);
    }
    for (const { event } of rec.seen.filter(({ event }) => event.operationType === 'delete')) {
      const id = String(event.documentKey._id);
      expect(event.fullDocumentBeforeChange).toEqual({ _id: id, partition_key: partitionOf(id), v: 2 });
    }
    expect(warnings).toEqual([]);
  });

  it('the handler gets the pre-image: none on insert, the previous version on update, the deleted document on delete', async () => {
    const received: { key: string; event: ProcessorEvent }[] = [];
    let processor: Processor | undefined;
    const stage = await watchedStage(async (db) => {
      await enablePreImages(db, 'docs');
      processor = createProcessor({
        name: 'test.preImages.live',
        db,
        collection: 'docs',
        logger: pino({ level: 'silent' }),
        skipCatchUp: true,
        handle: async (event, ctx) => {
          received.push({ key: ctx.partitionKey, event });
        },
      });
      await processor.start();
      await waitFor(() => processor?.status().state === 'streaming');
      const docs = db.collection<Doc>('docs');
      await docs.insertOne({ _id: 'o1', partition_key: 'p-o', v: 0 });
      await waitFor(() => received.length === 1);
      await docs.updateOne({ _id: 'o1' }, { $set: { v: 1 } });
      await waitFor(() => received.length === 2);
      await docs.deleteOne({ _id: 'o1' });
      await waitFor(() => received.length === 3);
      await processor.stop();
    });

    expect(stage).toMatchObject({ fullDocument: 'updateLookup', fullDocumentBeforeChange: 'whenAvailable' });
    expect(received.map(({ key }) => key)).toEqual(['p-o', 'p-o', 'p-o']);
    const [insert, update, remove] = received.map(({ event }) => event);
    expect(insert).toMatchObject({ operationType: 'insert', fullDocument: { v: 0 } });
    expect(insert).not.toHaveProperty('fullDocumentBeforeChange');
    expect(update).toMatchObject({
      operationType: 'update',
      fullDocument: { _id: 'o1', partition_key: 'p-o', v: 1 },
      fullDocumentBeforeChange: { _id: 'o1', partition_key: 'p-o', v: 0 },
    });
    expect(remove).toMatchObject({
      operationType: 'delete',
      fullDocument: null,
      fullDocumentBeforeChange: { _id: 'o1', partition_key: 'p-o', v: 1 },
    });
  });

  it('with preImages off: no pre-image asked for, a delete and a late update fall back to the document key, and one warning says so', async () => {
    const received: { key: string; event: ProcessorEvent }[] = [];
    const { logger, warnings } = warningsLogger();
    const stage = await watchedStage(async (db) => {
      const docs = db.collection<Doc>('docs');
      const from = await operationTime(db);
      for (const id of ['a', 'b']) {
        await docs.insertOne({ _id: id, partition_key: 'p1', v: 0 });
        await docs.updateOne({ _id: id }, { $set: { v: 1 } });
        await docs.deleteOne({ _id: id });
      }
      const processor = createProcessor({
        name: 'test.preImages.off',
        db,
        collection: 'docs',
        logger,
        preImages: false,
        startAtOperationTime: from,
        handle: async (event, ctx) => {
          received.push({ key: ctx.partitionKey, event });
        },
      });
      await processor.start();
      await waitFor(() => received.length === 6);
      await processor.stop();
    });

    expect(stage).toEqual({ fullDocument: 'updateLookup', startAtOperationTime: expect.anything() });
    // The documented rule: the document's key when there is a document, else `documentKey` (here `_id`).
    const byId = (id: string) => received.filter(({ event }) => event.documentKey._id === id);
    for (const id of ['a', 'b']) {
      expect(byId(id).map(({ key, event }) => [event.operationType, key])).toEqual([
        ['insert', 'p1'],
        ['update', id],
        ['delete', id],
      ]);
    }
    for (const { event } of received) expect(event).not.toHaveProperty('fullDocumentBeforeChange');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      keyFrom: 'documentKey._id',
      msg: expect.stringMatching(/preImages is off/),
    });
  });

  it('cosmos mode refuses preImages: true, and leaves it off by default (its exact shape is asserted in processor.int)', () => {
    const base = {
      db: mongo.freshDb(),
      collection: 'docs',
      mode: 'cosmos' as const,
      logger: pino({ level: 'silent' }),
      handle: async () => undefined,
    };
    expect(() => createProcessor({ ...base, name: 'test.preImages.cosmos', preImages: true })).toThrow(
      /pre-images/,
    );
    expect(() => createProcessor({ ...base, name: 'test.preImages.cosmos2' })).not.toThrow();
  });
});

describe('enablePreImages', () => {
  async function preImageOption(db: Db, name: string): Promise<unknown> {
    const [info] = await db.listCollections({ name }).toArray();
    return (info as { options?: Document } | undefined)?.options?.changeStreamPreAndPostImages;
  }

  it('turns pre-images on for an existing collection (collMod), keeping its documents, and again is harmless', async () => {
    const db = mongo.freshDb();
    await db.collection('docs').insertOne({ _id: 'x' } as Document);
    expect(await preImageOption(db, 'docs')).toBeUndefined();
    await enablePreImages(db, 'docs');
    expect(await preImageOption(db, 'docs')).toEqual({ enabled: true });
    await enablePreImages(db, 'docs');
    expect(await preImageOption(db, 'docs')).toEqual({ enabled: true });
    expect(await db.collection('docs').countDocuments()).toBe(1);
  });

  it('creates a missing collection with pre-images on, also when several instances start at once', async () => {
    const db = mongo.freshDb();
    await Promise.all([1, 2, 3, 4].map(() => enablePreImages(db, 'fresh')));
    expect(await preImageOption(db, 'fresh')).toEqual({ enabled: true });
  });

  it('passes on other errors (an invalid collection name)', async () => {
    await expect(enablePreImages(mongo.freshDb(), 'bad$name')).rejects.toThrow();
  });
});
