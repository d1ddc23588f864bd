import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoServer } from '../src/index.js';
import { type AnyDoc, drivers, sleep, startWithTwoClients } from './helpers.js';

/** Settles `p` and records when; `done()` tells whether it has settled yet. */
function track<T>(p: Promise<T>): {
  result: Promise<{ value?: T; error?: MongoServerError; at: number }>;
  done: () => boolean;
} {
  let settled = false;
  const result = p.then(
    (value) => ({ value, at: Date.now() }),
    (error: MongoServerError) => ({ error, at: Date.now() }),
  );
  void result.then(() => {
    settled = true;
  });
  return { result, done: () => settled };
}

describe.each(drivers)('writes outside a transaction to documents it wrote, with %s', (_label, Client) => {
  let client: MongoClient;
  let other: MongoClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, other, close } = await startWithTwoClients(Client));
  });
  afterAll(async () => {
    await close();
  });

  it('wait for the commit, then apply to the committed state; the transaction commits normally', async () => {
    const c = client.db('block').collection<AnyDoc>('commit');
    const outside = other.db('block').collection<AnyDoc>('commit');
    await c.insertOne({ _id: 1, v: 0 });
    const session = client.startSession();
    session.startTransaction();
    await c.updateOne({ _id: 1 }, { $inc: { v: 1 } }, { session });

    const write = track(outside.updateOne({ _id: 1 }, { $inc: { v: 10 } }));
    await sleep(400);
    expect(write.done()).toBe(false);
    // Nothing was applied meanwhile: outside readers still see the committed version.
    expect(await outside.findOne({ _id: 1 })).toEqual({ _id: 1, v: 0 });

    await session.commitTransaction();
    const committedAt = Date.now();
    await session.endSession();
    const r = await write.result;
    expect(r.error).toBeUndefined();
    expect(r.value?.modifiedCount).toBe(1);
    expect(r.at).toBeGreaterThanOrEqual(committedAt - 5);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, v: 11 });
  });

  it('wait for an abort, then apply to the unchanged document', async () => {
    const c = client.db('block').collection<AnyDoc>('abort');
    await c.insertOne({ _id: 1, v: 0 });
    const session = client.startSession();
    session.startTransaction();
    await c.deleteOne({ _id: 1 }, { session });
    const write = track(
      other
        .db('block')
        .collection<AnyDoc>('abort')
        .findOneAndUpdate({ _id: 1 }, { $set: { w: 1 } }, { returnDocument: 'after' }),
    );
    await sleep(300);
    expect(write.done()).toBe(false);
    await session.abortTransaction();
    await session.endSession();
    expect((await write.result).value).toEqual({ _id: 1, v: 0, w: 1 });
  });

  it('apply a multi-document update once per document after the wait', async () => {
    const c = client.db('block').collection<AnyDoc>('multi');
    await c.insertMany([
      { _id: 1, n: 0 },
      { _id: 2, n: 0 },
      { _id: 3, n: 0 },
    ]);
    const session = client.startSession();
    session.startTransaction();
    await c.updateOne({ _id: 2 }, { $set: { tx: true } }, { session });
    const write = track(
      other
        .db('block')
        .collection<AnyDoc>('multi')
        .updateMany({}, { $inc: { n: 1 } }),
    );
    await sleep(300);
    expect(write.done()).toBe(false);
    // Not even the unlocked documents were written yet (the statement runs whole after the wait).
    expect(await c.find({ n: 1 }).toArray()).toEqual([]);
    await session.commitTransaction();
    await session.endSession();
    expect((await write.result).value?.modifiedCount).toBe(3);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, n: 1 },
      { _id: 2, n: 1, tx: true },
      { _id: 3, n: 1 },
    ]);
  });

  it('see the committed insert of the same _id (duplicate key) and keep earlier statements', async () => {
    const c = client.db('block').collection<AnyDoc>('insert');
    const session = client.startSession();
    session.startTransaction();
    await c.insertOne({ _id: 'x', by: 'txn' }, { session });
    const write = track(
      other
        .db('block')
        .collection<AnyDoc>('insert')
        .insertMany([{ _id: 'before' }, { _id: 'x', by: 'outside' }, { _id: 'after' }], { ordered: false }),
    );
    await sleep(300);
    expect(write.done()).toBe(false);
    await session.commitTransaction();
    await session.endSession();
    const { error } = await write.result;
    expect(error?.code).toBe(11000);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'after' },
      { _id: 'before' },
      { _id: 'x', by: 'txn' },
    ]);
  });

  it('give up after the write’s maxTimeMS (50) and leave the transaction intact', async () => {
    const c = client.db('block').collection<AnyDoc>('timeout');
    await c.insertOne({ _id: 1, v: 0 });
    const session = client.startSession();
    session.startTransaction();
    await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session });
    const started = Date.now();
    const err = await other
      .db('block')
      .collection<AnyDoc>('timeout')
      .updateOne({ _id: 1 }, { $set: { v: 2 } }, { maxTimeMS: 300 })
      .catch((e: MongoServerError) => e);
    expect(err).toMatchObject({ code: 50, codeName: 'MaxTimeMSExpired' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    await session.commitTransaction();
    await session.endSession();
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, v: 1 });
  });

  it('are released when the transaction’s session is killed', async () => {
    const c = client.db('block').collection<AnyDoc>('killed');
    await c.insertOne({ _id: 1, v: 0 });
    const session = client.startSession();
    session.startTransaction();
    await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session });
    const write = track(
      other
        .db('block')
        .collection<AnyDoc>('killed')
        .updateOne({ _id: 1 }, { $inc: { v: 5 } }),
    );
    await sleep(300);
    expect(write.done()).toBe(false);
    await other.db('admin').command({ killSessions: [session.id] });
    expect((await write.result).value?.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, v: 5 });
    await session.abortTransaction().catch(() => {});
    await session.endSession();
  });
});

describe('a write waiting for a transaction at server stop', () => {
  it('does not delay stop() and is not applied', async () => {
    const dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-emu-block-'));
    let server = await startMongoServer({ port: 0, dbPath });
    const client = new drivers[0][1](server.uri, { retryWrites: false, serverSelectionTimeoutMS: 500 });
    await client.connect();
    try {
      const c = client.db('block').collection<AnyDoc>('stop');
      await c.insertOne({ _id: 1 });
      const session = client.startSession();
      session.startTransaction();
      await c.updateOne({ _id: 1 }, { $set: { tx: 1 } }, { session });
      const write = track(c.updateOne({ _id: 1 }, { $set: { out: 1 } }));
      await sleep(300);
      expect(write.done()).toBe(false);
      const started = Date.now();
      await server.stop();
      expect(Date.now() - started).toBeLessThan(1000);
      expect((await write.result).error).toBeDefined();
      await session.endSession().catch(() => {});
      // The transaction was aborted and the waiting write interrupted (InterruptedAtShutdown), not applied.
      server = await startMongoServer({ port: 0, dbPath });
      const again = new drivers[0][1](server.uri);
      try {
        expect(await again.db('block').collection<AnyDoc>('stop').findOne({ _id: 1 })).toEqual({ _id: 1 });
      } finally {
        await again.close();
      }
    } finally {
      await client.close();
      await server.stop();
      fs.rmSync(dbPath, { recursive: true, force: true });
    }
  });
});
