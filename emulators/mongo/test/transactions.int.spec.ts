import type { ChangeStreamDocument, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, drivers, startWithTwoClients } from './helpers.js';

describe.each(drivers)('transactions with %s', (_label, Client) => {
  let client: MongoClient;
  let other: MongoClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, other, close } = await startWithTwoClients(Client));
  });
  afterAll(async () => {
    await close();
  });

  it('commits atomically, isolates uncommitted writes and publishes events together at commit', async () => {
    const c = client.db('tx').collection<AnyDoc>('accounts');
    await c.insertMany([
      { _id: 'a', bal: 100 },
      { _id: 'b', bal: 0 },
    ]);
    const cs = c.watch<AnyDoc, ChangeStreamDocument<AnyDoc>>();
    await cs.tryNext();
    const session = client.startSession();
    session.startTransaction();
    await c.updateOne({ _id: 'a' }, { $inc: { bal: -30 } }, { session });
    await c.updateOne({ _id: 'b' }, { $inc: { bal: 30 } }, { session });
    await c.insertOne({ _id: 'log1', note: 'transfer' }, { session });
    // Own writes visible inside, invisible outside.
    expect((await c.findOne({ _id: 'a' }, { session }))?.bal).toBe(70);
    expect(await c.countDocuments({}, { session })).toBe(3);
    const outside = other.db('tx').collection<AnyDoc>('accounts');
    expect((await outside.findOne({ _id: 'a' }))?.bal).toBe(100);
    expect(await outside.findOne({ _id: 'log1' })).toBeNull();
    expect(await cs.tryNext()).toBeNull();
    await session.commitTransaction();
    // Retried commit is idempotent (the driver re-sends commitTransaction for the same txnNumber).
    await session.commitTransaction();
    await session.endSession();
    expect((await outside.findOne({ _id: 'a' }))?.bal).toBe(70);
    const events = [await cs.next(), await cs.next(), await cs.next()];
    expect(events.map((e) => e.operationType)).toEqual(['update', 'update', 'insert']);
    const times = events.map((e) => String((e as { clusterTime: unknown }).clusterTime));
    expect(new Set(times).size).toBe(1);
    expect(events[0]).toHaveProperty('lsid');
    expect(events[0]).toHaveProperty('txnNumber');
    await cs.close();
  });

  it('discards writes on abort and reads from a snapshot', async () => {
    const c = client.db('tx').collection<AnyDoc>('snap');
    await c.insertOne({ _id: 1, v: 1 });
    const session = client.startSession();
    session.startTransaction();
    expect((await c.findOne({ _id: 1 }, { session }))?.v).toBe(1);
    await other
      .db('tx')
      .collection<AnyDoc>('snap')
      .updateOne({ _id: 2 }, { $set: { v: 2 } }, { upsert: true });
    // The transaction keeps seeing the database as of its start.
    expect(await c.findOne({ _id: 2 }, { session })).toBeNull();
    await c.insertOne({ _id: 3 }, { session });
    await session.abortTransaction();
    await session.endSession();
    expect(await c.findOne({ _id: 3 })).toBeNull();
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, v: 2 });
  });

  it('answers WriteConflict (112) with TransientTransactionError for conflicting writers', async () => {
    const c = client.db('tx').collection<AnyDoc>('conflict');
    await c.insertOne({ _id: 1, v: 0 });
    const s1 = client.startSession();
    const s2 = other.startSession();
    s1.startTransaction();
    s2.startTransaction();
    await c.updateOne({ _id: 1 }, { $inc: { v: 1 } }, { session: s1 });
    const err = await other
      .db('tx')
      .collection<AnyDoc>('conflict')
      .updateOne({ _id: 1 }, { $inc: { v: 10 } }, { session: s2 })
      .catch((e: MongoServerError) => e);
    expect(err).toMatchObject({ code: 112, codeName: 'WriteConflict' });
    expect((err as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
    await s2.abortTransaction().catch(() => {});
    await s1.commitTransaction();
    expect((await c.findOne({ _id: 1 }))?.v).toBe(1);

    // A non-transactional write after the snapshot also makes the transaction's write conflict.
    const s3 = client.startSession();
    s3.startTransaction();
    await c.findOne({ _id: 1 }, { session: s3 });
    await other
      .db('tx')
      .collection<AnyDoc>('conflict')
      .updateOne({ _id: 1 }, { $set: { v: 5 } });
    const err2 = await c
      .updateOne({ _id: 1 }, { $set: { v: 6 } }, { session: s3 })
      .catch((e: MongoServerError) => e);
    expect(err2).toMatchObject({ code: 112 });
    await s3.abortTransaction().catch(() => {});
    await Promise.all([s1.endSession(), s2.endSession(), s3.endSession()]);

    // withTransaction retries transient errors until it succeeds.
    const s4 = client.startSession();
    await s4.withTransaction(async () => {
      await c.updateOne({ _id: 1 }, { $inc: { v: 1 } }, { session: s4 });
    });
    await s4.endSession();
    expect((await c.findOne({ _id: 1 }))?.v).toBe(6);
  });

  it('keeps unique indexes intact when two transactions insert the same key (WriteConflict at the second insert)', async () => {
    const c = client.db('tx').collection<AnyDoc>('uniq');
    await c.createIndex({ email: 1 }, { unique: true });
    const s1 = client.startSession();
    const s2 = other.startSession();
    s1.startTransaction();
    s2.startTransaction();
    await c.insertOne({ _id: 1, email: 'same' }, { session: s1 });
    const err = await other
      .db('tx')
      .collection<AnyDoc>('uniq')
      .insertOne({ _id: 2, email: 'same' }, { session: s2 })
      .catch((e: MongoServerError) => e);
    expect(err).toMatchObject({ code: 112 });
    expect((err as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
    await s2.abortTransaction().catch(() => {});
    await s1.commitTransaction();
    expect(await c.find().toArray()).toEqual([{ _id: 1, email: 'same' }]);
    await Promise.all([s1.endSession(), s2.endSession()]);
  });

  it('answers NoSuchTransaction (251) once the server-side transaction is gone', async () => {
    const c = client.db('tx').collection<AnyDoc>('killed');
    const session = client.startSession();
    session.startTransaction();
    await c.insertOne({ _id: 1 }, { session });
    await other.db('admin').command({ killSessions: [session.id] });
    const err = await c.insertOne({ _id: 2 }, { session }).catch((e: MongoServerError) => e);
    expect(err).toMatchObject({ code: 251, codeName: 'NoSuchTransaction' });
    expect((err as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
    await session.abortTransaction().catch(() => {});
    await session.endSession();
    expect(await c.countDocuments()).toBe(0);
  });

  it('deduplicates retryable writes by (lsid, txnNumber)', async () => {
    const db = client.db('tx');
    const session = client.startSession();
    const cmd = {
      insert: 'retry',
      documents: [{ _id: 'once', n: 1 }],
      lsid: session.id,
      txnNumber: 7,
    };
    const first = await db.command(cmd);
    const second = await db.command(cmd);
    expect(first.n).toBe(1);
    expect(second.n).toBe(1);
    expect(second.writeErrors).toBeUndefined();
    expect(await db.collection('retry').countDocuments()).toBe(1);
    const upd = {
      update: 'retry',
      updates: [{ q: { _id: 'once' }, u: { $inc: { n: 1 } } }],
      lsid: session.id,
      txnNumber: 8,
    };
    await db.command(upd);
    await db.command(upd);
    expect((await db.collection<AnyDoc>('retry').findOne({ _id: 'once' }))?.n).toBe(2);
    await session.endSession();
  });
});
