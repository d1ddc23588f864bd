import { type Document, type MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COSMOS_TXN_LIMIT_MS } from '../src/cosmos.js';
import { type AnyDoc, sleep, startWithClient } from './helpers.js';

/** The pipeline and options Cosmos DB requires (learn.microsoft.com/azure/cosmos-db/mongodb/change-streams). */
const COSMOS_PIPELINE: Document[] = [
  { $match: { operationType: { $in: ['insert', 'update', 'replace'] } } },
  { $project: { _id: 1, fullDocument: 1, ns: 1, documentKey: 1 } },
];

async function refusal(run: () => Promise<unknown>): Promise<MongoServerError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof MongoServerError) return error;
    throw error;
  }
  throw new Error('expected the server to refuse');
}

describe('--cosmos: change streams and transactions as Cosmos DB', () => {
  let client: MongoClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await startWithClient({ cosmos: true }));
  });
  afterAll(async () => {
    await close();
  });

  it('given the required shape, when documents are inserted, updated, replaced and deleted, then only the first three arrive, without cluster time', async () => {
    const c = client.db('cs').collection<AnyDoc>('items');
    const stream = c.watch(COSMOS_PIPELINE, { fullDocument: 'updateLookup' });
    await stream.tryNext();
    await c.insertOne({ _id: 'a', partition_key: 'k', n: 1 });
    await c.updateOne({ _id: 'a' }, { $set: { n: 2 } });
    await c.replaceOne({ _id: 'a' }, { partition_key: 'k', n: 3 });
    await c.deleteOne({ _id: 'a' });
    await c.insertOne({ _id: 'b', partition_key: 'k', n: 1 });
    const seen: Document[] = [];
    while (seen.length < 4) {
      const next = await stream.tryNext();
      if (next) seen.push(next);
    }
    await stream.close();
    // insert, update, replace of a (no delete event), then the insert of b.
    expect(seen.map((e) => e.documentKey._id)).toEqual(['a', 'a', 'a', 'b']);
    expect(seen[0]!.fullDocument).toMatchObject({ n: 1 });
    expect(seen[3]!.fullDocument).toMatchObject({ n: 1, partition_key: 'k' });
    for (const event of seen) {
      expect(Object.keys(event).sort()).toEqual(['_id', 'documentKey', 'fullDocument', 'ns']);
    }
  });

  it.each([
    ['no $project', [{ $match: { operationType: { $in: ['insert'] } } }], { fullDocument: 'updateLookup' }],
    [
      'no $match on operationType',
      [{ $project: { _id: 1, fullDocument: 1 } }],
      { fullDocument: 'updateLookup' },
    ],
    [
      'deletes asked for',
      [{ $match: { operationType: { $in: ['insert', 'delete'] } } }, COSMOS_PIPELINE[1]!],
      {
        fullDocument: 'updateLookup',
      },
    ],
    [
      'a projection of other fields',
      [COSMOS_PIPELINE[0]!, { $project: { _id: 1, clusterTime: 1 } }],
      {
        fullDocument: 'updateLookup',
      },
    ],
    ['no updateLookup', COSMOS_PIPELINE, {}],
    [
      'pre-images',
      COSMOS_PIPELINE,
      { fullDocument: 'updateLookup', fullDocumentBeforeChange: 'whenAvailable' },
    ],
  ] as const)(
    'refuses a change stream with %s (CommandNotSupported, 115)',
    async (_label, pipeline, options) => {
      const c = client.db('cs').collection<AnyDoc>('refused');
      const error = await refusal(() => c.watch([...pipeline] as Document[], options as Document).tryNext());
      expect(error.code).toBe(115);
      expect(error.message).toMatch(/^Cosmos DB \(dev server --cosmos\): /);
    },
  );

  it('refuses startAtOperationTime and database-wide streams', async () => {
    const c = client.db('cs').collection<AnyDoc>('refused');
    const { operationTime } = await client.db('cs').command({ ping: 1 });
    const at = await refusal(() =>
      c
        .watch(COSMOS_PIPELINE, { fullDocument: 'updateLookup', startAtOperationTime: operationTime })
        .tryNext(),
    );
    expect(at.message).toMatch(/operation time/);
    const wide = await refusal(() =>
      client.db('cs').watch(COSMOS_PIPELINE, { fullDocument: 'updateLookup' }).tryNext(),
    );
    expect(wide.message).toMatch(/on a collection only/);
  });

  it('creates a unique index on an empty collection, refuses it on one with documents (CannotCreateIndex, 67), and accepts the same index again', async () => {
    const db = client.db('ix');
    await db.collection('empty').createIndex({ k: 1 }, { unique: true, name: 'k_unique' });
    await db.collection('empty').insertOne({ k: 1 } as never);
    await db.collection('empty').createIndex({ k: 1 }, { unique: true, name: 'k_unique' });
    await db.collection('full').insertOne({ k: 1 } as never);
    const error = await refusal(() => db.collection('full').createIndex({ k: 1 }, { unique: true }));
    expect(error.code).toBe(67);
    await db.collection('full').createIndex({ k: 1 }); // not unique: fine
  });

  it('answers the customAction GetDatabase extension command (how MONGO_FLAVOUR=auto recognises it); without --cosmos, CommandNotFound like mongod', async () => {
    expect(await client.db('cs').command({ customAction: 'GetDatabase' })).toMatchObject({ ok: 1 });
    const plain = await startWithClient({});
    try {
      const error = await refusal(() => plain.client.db('cs').command({ customAction: 'GetDatabase' }));
      expect(error.code).toBe(59);
    } finally {
      await plain.close();
    }
  });

  it('refuses a transaction across collections, and one older than 5 s with code 2 "Transaction isn\'t active"', async () => {
    const db = client.db('tx');
    await db.collection('a').insertOne({ _id: 'x' } as never);
    await db.collection('b').insertOne({ _id: 'y' } as never);
    const session = client.startSession();
    session.startTransaction();
    await db.collection('a').updateOne({ _id: 'x' } as never, { $set: { n: 1 } }, { session });
    const across = await refusal(() =>
      db.collection('b').updateOne({ _id: 'y' } as never, { $set: { n: 1 } }, { session }),
    );
    expect(across.code).toBe(115);
    await session.abortTransaction().catch(() => undefined);

    session.startTransaction();
    await db.collection('a').updateOne({ _id: 'x' } as never, { $set: { n: 2 } }, { session });
    await sleep(COSMOS_TXN_LIMIT_MS + 200);
    const late = await refusal(() =>
      db.collection('a').updateOne({ _id: 'x' } as never, { $set: { n: 3 } }, { session }),
    );
    expect(late.code).toBe(2);
    expect(late.message).toMatch(/Transaction isn't active/);
    await session.abortTransaction().catch(() => undefined);
    await session.endSession();
    expect((await db.collection('a').findOne({ _id: 'x' } as never))?.n).toBeUndefined();
  }, 15_000);
});

describe('--cosmos with a throttle rate', () => {
  it('answers 16500 TooManyRequests with RetryAfterMs for about that share of commands, only to the named apps', async () => {
    const { server, client, close } = await startWithClient({
      cosmos: { throttleRate: 0.3, retryAfterMs: 7, throttleAppNames: ['throttled'] },
    });
    const { MongoClient } = await import('mongodb');
    const throttled = new MongoClient(server.uri, {
      appName: 'throttled-app',
      retryReads: false,
      retryWrites: false,
    });
    await throttled.connect();
    try {
      const c = throttled.db('t').collection('c');
      let refused = 0;
      let last: MongoServerError | undefined;
      for (let i = 0; i < 200; i++) {
        try {
          await c.insertOne({ i });
        } catch (error) {
          if (!(error instanceof MongoServerError)) throw error;
          refused++;
          last = error;
        }
      }
      // 30 % of 200: between 30 and 90 with overwhelming probability (binomial, σ ≈ 6.5).
      expect(refused).toBeGreaterThan(30);
      expect(refused).toBeLessThan(90);
      expect(last?.code).toBe(16500);
      expect(last?.message).toMatch(/RetryAfterMs=7/);
      expect(last?.message).toMatch(/Request rate is large/);
      // Nothing was written by a refused insert.
      expect(await client.db('t').collection('c').countDocuments()).toBe(200 - refused);
      // The unnamed client is never throttled.
      for (let i = 0; i < 100; i++) await client.db('t').collection('d').insertOne({ i });
    } finally {
      await throttled.close();
      await close();
    }
  });
});
