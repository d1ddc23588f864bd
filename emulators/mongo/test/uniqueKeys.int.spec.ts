import type { Collection, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, drivers, sleep, startWithTwoClients } from './helpers.js';

/** Settles `p`, and tells meanwhile whether it has. */
function track<T>(p: Promise<T>): {
  result: Promise<{ value?: T; error?: MongoServerError }>;
  done: () => boolean;
} {
  let settled = false;
  const result = p.then(
    (value) => ({ value }),
    (error: MongoServerError) => ({ error }),
  );
  void result.then(() => {
    settled = true;
  });
  return { result, done: () => settled };
}

const conflict = { code: 112, codeName: 'WriteConflict' };
const duplicate = { code: 11000 };

describe.each(drivers)('unique-key conflicts with open transactions, with %s', (_label, Client) => {
  let client: MongoClient;
  let other: MongoClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, other, close } = await startWithTwoClients(Client));
  });
  afterAll(async () => close());

  /** A collection with a unique index on `email`, seen from both clients. */
  async function users(name: string): Promise<{ c: Collection<AnyDoc>; outside: Collection<AnyDoc> }> {
    const c = client.db('uk').collection<AnyDoc>(name);
    await c.createIndex({ email: 1 }, { unique: true });
    return { c, outside: other.db('uk').collection<AnyDoc>(name) };
  }

  it('a transaction writing a key another open transaction wrote gets WriteConflict at that write', async () => {
    const { c, outside } = await users('txn_txn');
    await c.insertOne({ _id: 'u', email: 'old' });
    const s1 = client.startSession();
    const s2 = other.startSession();
    s1.startTransaction();
    s2.startTransaction();
    await c.insertOne({ _id: 1, email: 'same' }, { session: s1 });
    const insertErr = await outside.insertOne({ _id: 2, email: 'same' }, { session: s2 }).catch((e) => e);
    expect(insertErr).toMatchObject(conflict);
    expect((insertErr as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
    await s2.abortTransaction().catch(() => undefined);

    // An update that adds the key conflicts the same way.
    s2.startTransaction();
    const updateErr = await outside
      .updateOne({ _id: 'u' }, { $set: { email: 'same' } }, { session: s2 })
      .catch((e) => e);
    expect(updateErr).toMatchObject(conflict);
    await s2.abortTransaction().catch(() => undefined);

    await s1.commitTransaction();
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, email: 'same' },
      { _id: 'u', email: 'old' },
    ]);

    // withTransaction retries the transient error, and then sees the committed key: DuplicateKey.
    let attempts = 0;
    const s3 = other.startSession();
    const s4 = client.startSession();
    s4.startTransaction();
    await c.insertOne({ _id: 3, email: 'next' }, { session: s4 });
    const retried = track(
      s3.withTransaction(async () => {
        attempts++;
        if (attempts === 2) await s4.commitTransaction();
        await outside.insertOne({ _id: 4, email: 'next' }, { session: s3 });
      }),
    );
    const { error } = await retried.result;
    expect(error).toMatchObject(duplicate);
    expect(attempts).toBe(2);
    await Promise.all([s1, s2, s3, s4].map((s) => s.endSession()));
  });

  it('a transaction writing a key committed after it started gets WriteConflict, one committed before DuplicateKey', async () => {
    const { c, outside } = await users('txn_newer');
    await c.insertOne({ _id: 'before', email: 'b' });
    const session = client.startSession();
    session.startTransaction();
    await c.findOne({}, { session }); // the snapshot
    await outside.insertOne({ _id: 'after', email: 'a' });
    await expect(c.insertOne({ _id: 1, email: 'a' }, { session })).rejects.toMatchObject(conflict);
    await session.abortTransaction().catch(() => undefined);
    session.startTransaction();
    await expect(c.insertOne({ _id: 1, email: 'b' }, { session })).rejects.toMatchObject(duplicate);
    await session.abortTransaction().catch(() => undefined);
    await session.endSession();
  });

  it('a write outside transactions waits for the transaction that wrote the key, then answers DuplicateKey', async () => {
    const { c, outside } = await users('commit');
    const session = client.startSession();
    session.startTransaction();
    await c.insertOne({ _id: 1, email: 'same' }, { session });
    const write = track(outside.insertOne({ _id: 2, email: 'same' }));
    await sleep(300);
    expect(write.done()).toBe(false);
    expect(await outside.countDocuments()).toBe(0);
    await session.commitTransaction();
    await session.endSession();
    const { error } = await write.result;
    expect(error).toMatchObject({
      ...duplicate,
      keyValue: { email: 'same' },
      message: expect.stringContaining('index: email_1 dup key: { email: "same" }'),
    });
    expect(await c.find().toArray()).toEqual([{ _id: 1, email: 'same' }]);
  });

  it('a write outside transactions waits for the transaction that wrote the key, then succeeds if it aborts', async () => {
    const { c, outside } = await users('abort');
    const initial = [
      { _id: 'a', email: 'a' },
      { _id: 'b', email: 'b' },
      { _id: 'c', email: 'c' },
    ];
    await c.insertMany(initial);
    const session = client.startSession();
    session.startTransaction();
    await c.insertOne({ _id: 1, email: 'same' }, { session });
    await c.updateOne({ _id: 'c' }, { $set: { email: 'moved' } }, { session });
    // A multi-document update whose second document would take the key: nothing is written before the wait.
    const many = track(
      outside.updateMany({ _id: { $in: ['a', 'b'] } }, [
        { $set: { n: 1, email: { $cond: [{ $eq: ['$_id', 'b'] }, 'same', '$email'] } } },
      ]),
    );
    // An upsert taking the key the transaction's update added.
    const upsert = track(outside.updateOne({ _id: 2 }, { $set: { email: 'moved' } }, { upsert: true }));
    await sleep(300);
    expect(many.done() || upsert.done()).toBe(false);
    expect(await outside.find().sort({ _id: 1 }).toArray()).toEqual(initial);
    await session.abortTransaction();
    await session.endSession();
    expect((await many.result).value?.modifiedCount).toBe(2);
    expect((await upsert.result).value?.upsertedId).toBe(2);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 2, email: 'moved' },
      { _id: 'a', email: 'a', n: 1 },
      { _id: 'b', email: 'same', n: 1 },
      { _id: 'c', email: 'c' },
    ]);
  });

  it('plain duplicate keys are unchanged: against committed documents, and keys a transaction only removes', async () => {
    const { c, outside } = await users('plain');
    await c.insertOne({ _id: 1, email: 'x' });
    await expect(outside.insertOne({ _id: 2, email: 'x' })).rejects.toMatchObject(duplicate);
    const session = client.startSession();
    session.startTransaction();
    await expect(c.insertOne({ _id: 3, email: 'x' }, { session })).rejects.toMatchObject(duplicate);
    await session.abortTransaction().catch(() => undefined);

    // The transaction moves document 1 off 'x': until it commits, 'x' is still taken for everyone else
    // (mongod finds the committed entry), and the transaction itself may reuse the key it freed.
    session.startTransaction();
    await c.updateOne({ _id: 1 }, { $set: { email: 'y' } }, { session });
    await expect(outside.insertOne({ _id: 4, email: 'x' })).rejects.toMatchObject(duplicate);
    await c.insertOne({ _id: 5, email: 'x' }, { session });
    await session.commitTransaction();
    await session.endSession();
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, email: 'y' },
      { _id: 5, email: 'x' },
    ]);
    // A key a transaction left unchanged is not written, so it locks nothing: DuplicateKey at once.
    const s2 = client.startSession();
    s2.startTransaction();
    await c.updateOne({ _id: 1 }, { $set: { n: 1 } }, { session: s2 });
    const write = track(outside.insertOne({ _id: 6, email: 'y' }));
    await sleep(200);
    expect(write.done()).toBe(true);
    expect((await write.result).error).toMatchObject(duplicate);
    await s2.commitTransaction();
    await s2.endSession();
  });
});
