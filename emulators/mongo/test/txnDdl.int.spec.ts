import type { Db, Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, startWithTwoClients } from './helpers.js';

// `create` and `createIndexes` inside a transaction, as mongod 4.4+ allows them. Expected behaviour:
// specifications source/transactions/tests/unified/create-collection.yml and create-index.yml (the
// collection / index exists for others only after commit), mongod's jstests/core/txns/
// create_existing_indexes.js (an existing index is fine, a new one on an existing collection is
// OperationNotSupportedInTransaction), and the manual's "Create Collections and Indexes in a Transaction".
describe('DDL inside transactions', () => {
  let client: MongoClient;
  let other: MongoClient;
  let close: () => Promise<void>;
  let db: Db;
  let seen: Db;
  beforeAll(async () => {
    ({ client, other, close } = await startWithTwoClients());
    db = client.db('txnddl');
    seen = other.db('txnddl');
  });
  afterAll(async () => {
    await close();
  });

  const names = async (): Promise<string[]> =>
    (await seen.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const indexNames = async (coll: string): Promise<string[]> =>
    (await seen.collection(coll).listIndexes().toArray()).map((i: Document) => i.name as string);

  it('creates a collection (with its options) that others see only after commit', async () => {
    const events = seen.watch([], { showExpandedEvents: true });
    await events.tryNext();
    const session = client.startSession();
    session.startTransaction();
    await db.createCollection('made', { session, validator: { x: { $type: 'int' } } });
    await db.collection<AnyDoc>('made').insertOne({ _id: 1, x: 1 }, { session });
    expect(await db.collection<AnyDoc>('made').find({}, { session }).toArray()).toEqual([{ _id: 1, x: 1 }]);
    expect(await names()).not.toContain('made');
    expect(await events.tryNext()).toBeNull();
    await session.commitTransaction();
    await session.endSession();
    expect(await names()).toContain('made');
    const info = (await seen.listCollections({ name: 'made' }).toArray())[0] as Document;
    expect(info.options).toEqual({ validator: { x: { $type: 'int' } } });
    expect(await seen.collection('made').find().toArray()).toEqual([{ _id: 1, x: 1 }]);
    const create = await events.next();
    expect(create).toMatchObject({ operationType: 'create', ns: { db: 'txnddl', coll: 'made' } });
    expect((await events.next()).operationType).toBe('insert');
    await events.close();
  });

  it('discards the collection and its indexes on abort', async () => {
    const session = client.startSession();
    session.startTransaction();
    await db.createCollection('dropped', { session });
    await db.collection('dropped').createIndex({ y: 1 }, { session });
    await session.abortTransaction();
    await session.endSession();
    expect(await names()).not.toContain('dropped');
  });

  it('creates an index on a collection it creates (explicitly or implicitly), built for others at commit', async () => {
    const session = client.startSession();
    session.startTransaction();
    const r = await db.command(
      { createIndexes: 'indexed', indexes: [{ key: { x: 1 }, name: 'x_1', unique: true }] },
      { session },
    );
    expect(r).toMatchObject({
      createdCollectionAutomatically: true,
      numIndexesBefore: 1,
      numIndexesAfter: 2,
    });
    const c = db.collection<AnyDoc>('indexed');
    await c.insertOne({ _id: 1, x: 1 }, { session });
    // The unique index holds inside the transaction (DuplicateKey, 11000), which aborts it like any error.
    await expect(c.insertOne({ _id: 2, x: 1 }, { session })).rejects.toMatchObject({ code: 11000 });
    await session.abortTransaction();
    expect(await names()).not.toContain('indexed');

    session.startTransaction();
    await db.createCollection('indexed', { session });
    await c.insertOne({ _id: 1, x: 1 }, { session });
    await c.createIndex({ x: 1 }, { session, name: 'x_1', unique: true });
    expect((await c.listIndexes({ session }).toArray()).map((i) => i.name)).toEqual(['_id_', 'x_1']);
    await session.commitTransaction();
    await session.endSession();
    expect(await indexNames('indexed')).toEqual(['_id_', 'x_1']);
    await expect(seen.collection<AnyDoc>('indexed').insertOne({ _id: 2, x: 1 })).rejects.toMatchObject({
      code: 11000,
    });
  });

  it('refuses a new index on a collection that existed before (263), accepts an existing one', async () => {
    await seen.createCollection('before');
    await seen.collection('before').createIndex({ a: 1 }, { name: 'a_1' });
    const session = client.startSession();
    session.startTransaction();
    const same = await db.command(
      { createIndexes: 'before', indexes: [{ key: { a: 1 }, name: 'a_1' }] },
      { session },
    );
    expect(same.note).toBe('all indexes already exist');
    await expect(
      db.collection('before').createIndex({ b: 1 }, { session, name: 'b_1' }),
    ).rejects.toMatchObject({
      code: 263,
      codeName: 'OperationNotSupportedInTransaction',
      message:
        'Cannot create new indexes on existing collection txnddl.before in a multi-document transaction.',
    });
    // The failed statement aborted the transaction.
    await expect(session.commitTransaction()).rejects.toMatchObject({ code: 251 });
    await session.endSession();
    expect(await indexNames('before')).toEqual(['_id_', 'a_1']);
  });

  it('refuses creating a collection that exists (NamespaceExists, 48)', async () => {
    await seen.createCollection('exists');
    const session = client.startSession();
    session.startTransaction();
    await expect(db.createCollection('exists', { session })).rejects.toMatchObject({ code: 48 });
    await session.abortTransaction().catch(() => undefined);
    await session.endSession();
  });

  it('refuses creating a view (263): only collections are created in a transaction', async () => {
    const session = client.startSession();
    session.startTransaction();
    await expect(
      db.createCollection('view_in_txn', { session, viewOn: 'made', pipeline: [] }),
    ).rejects.toMatchObject({ code: 263 });
    await session.abortTransaction().catch(() => undefined);
    await session.endSession();
    expect(await names()).not.toContain('view_in_txn');
  });
});
