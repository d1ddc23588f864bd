import type { Db, Document, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, drivers, eventually, startWithClient, upd } from './helpers.js';

describe.each(drivers)('CRUD with %s', (_label, Client, bson) => {
  let client: MongoClient;
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await startWithClient({}, Client));
    db = client.db('crud');
  });
  afterAll(async () => close());

  it('inserts with generated _id stored first and finds with sort/skip/limit/projection', async () => {
    const c = db.collection('people');
    await c.insertMany([
      { name: 'c', age: 30, tags: ['x'] },
      { name: 'a', age: 20, tags: ['y', 'x'] },
      { name: 'b', age: 25, nested: { k: 1 } },
    ]);
    const raw = await c.findOne({ name: 'a' });
    expect(Object.keys(raw!)[0]).toBe('_id');
    const sorted = await c.find({}, { sort: { age: -1 }, projection: { _id: 0, name: 1 } }).toArray();
    expect(sorted).toEqual([{ name: 'c' }, { name: 'b' }, { name: 'a' }]);
    const page = await c.find({}).sort({ name: 1 }).skip(1).limit(1).toArray();
    expect(page.map((d) => d.name)).toEqual(['b']);
    expect(await c.find({ tags: 'x' }).count()).toBe(2);
    expect(
      (
        await c
          .find({}, { projection: { tags: 0, _id: 0 } })
          .sort({ name: 1 })
          .toArray()
      )[1],
    ).toEqual({
      name: 'b',
      age: 25,
      nested: { k: 1 },
    });
    expect(await c.distinct('tags')).toEqual(expect.arrayContaining(['x', 'y']));
    expect(await c.countDocuments({ name: /^[ab]$/ })).toBe(2);
    expect(await c.countDocuments({ name: { $regex: '^C', $options: 'i' } })).toBe(1);
    expect(await c.countDocuments({ name: { $in: [/^c/, 'b'] } })).toBe(2);
    await db.collection('regexes').insertOne({ name: 'rx', pattern: new bson.BSONRegExp('keep me', 'imx') });
    const rx = await db.collection('regexes').findOne({ name: 'rx' }, { bsonRegExp: true });
    expect(rx?.pattern).toMatchObject({ pattern: 'keep me', options: 'imx' });
    expect(await c.countDocuments({ age: { $gte: 25 } })).toBe(2);
    expect(await c.estimatedDocumentCount()).toBe(3);
  });

  it('applies update operators, positional, arrayFilters, pipelines and upserts', async () => {
    const c = db.collection<AnyDoc>('updates');
    await c.insertOne({
      _id: 1,
      n: 1,
      arr: [1, 2, 3],
      items: [
        { sku: 'a', q: 1 },
        { sku: 'b', q: 5 },
      ],
      s: 'x',
    });
    await c.updateOne({ _id: 1 }, upd({ $inc: { n: 2 }, $push: { arr: 4 }, $unset: { s: '' } }));
    await c.updateOne({ _id: 1, 'items.sku': 'b' }, { $set: { 'items.$.q': 6 } });
    await c.updateOne({ _id: 1 }, { $inc: { 'items.$[].q': 1 } });
    await c.updateOne(
      { _id: 1 },
      { $set: { 'items.$[it].hot': true } },
      { arrayFilters: [{ 'it.q': { $gt: 5 } }] },
    );
    await c.updateOne(
      { _id: 1 },
      upd({ $pull: { arr: { $gte: 3 } }, $addToSet: { set: { $each: [1, 1, 2] } } }),
    );
    let doc = await c.findOne({ _id: 1 });
    expect(doc).toEqual({
      _id: 1,
      n: 3,
      arr: [1, 2],
      items: [
        { sku: 'a', q: 2 },
        { sku: 'b', q: 7, hot: true },
      ],
      set: [1, 2],
    });
    await c.updateOne({ _id: 1 }, [{ $set: { total: { $sum: '$items.q' } } }]);
    doc = await c.findOne({ _id: 1 });
    expect(doc?.total).toBe(9);

    const up = await c.updateOne(
      { _id: 2, kind: 'k' },
      { $set: { v: 1 }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    expect(up.upsertedId).toBe(2);
    expect(up.upsertedCount).toBe(1);
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, kind: 'k', v: 1, created: true });
    await c.updateOne({ _id: 2 }, { $set: { v: 2 }, $setOnInsert: { created: false } }, { upsert: true });
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, kind: 'k', v: 2, created: true });

    const repl = await c.replaceOne({ _id: 2 }, { only: 'this' });
    expect(repl.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, only: 'this' });

    const noop = await c.updateOne({ _id: 2 }, { $set: { only: 'this' } });
    expect(noop.matchedCount).toBe(1);
    expect(noop.modifiedCount).toBe(0);

    const many = await c.updateMany({}, { $set: { all: true } });
    expect(many.modifiedCount).toBe(2);

    await expect(c.updateOne({ _id: 1 }, { $set: { _id: 5 } })).rejects.toMatchObject({ code: 66 });
    await expect(c.updateOne({ _id: 1 }, { $set: { a: 1 }, $inc: { a: 1 } })).rejects.toMatchObject({
      code: 40,
    });
    await expect(c.updateOne({ _id: 1 }, { $inc: { arr: 1 } })).rejects.toMatchObject({ code: 14 });
  });

  it('deletes one and many', async () => {
    const c = db.collection('deletes');
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await c.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({})).deletedCount).toBe(2);
    expect((await c.deleteMany({ k: 9 })).deletedCount).toBe(0);
  });

  it('findOneAndUpdate / Replace / Delete with sort, new, upsert and projection', async () => {
    const c = db.collection<AnyDoc>('fam');
    await c.insertMany([
      { _id: 1, p: 1, q: 'a' },
      { _id: 2, p: 2, q: 'a' },
    ]);
    const before = await c.findOneAndUpdate(
      { q: 'a' },
      { $inc: { p: 10 } },
      { sort: { p: -1 }, returnDocument: 'before' },
    );
    expect(before).toEqual({ _id: 2, p: 2, q: 'a' });
    const after = await c.findOneAndUpdate(
      { _id: 1 },
      { $set: { z: 1 } },
      { returnDocument: 'after', projection: { z: 1 } },
    );
    expect(after).toEqual({ _id: 1, z: 1 });
    const upserted = await c.findOneAndUpdate(
      { _id: 3 },
      { $set: { p: 0 } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(upserted).toEqual({ _id: 3, p: 0 });
    const res = await c.findOneAndUpdate(
      { _id: 4 },
      { $set: { p: 0 } },
      { upsert: true, includeResultMetadata: true },
    );
    expect(res.value).toBeNull();
    expect(res.lastErrorObject?.upserted).toBe(4);
    const replaced = await c.findOneAndReplace({ _id: 3 }, { r: 1 }, { returnDocument: 'after' });
    expect(replaced).toEqual({ _id: 3, r: 1 });
    const removed = await c.findOneAndDelete({ q: 'a' }, { sort: { p: 1 } });
    expect(removed?._id).toBe(1);
    expect(await c.findOneAndDelete({ q: 'zzz' })).toBeNull();
  });

  it('aggregates with common stages, $lookup, $facet, $out and $merge', async () => {
    const orders = db.collection<AnyDoc>('orders');
    const products = db.collection<AnyDoc>('products');
    await products.insertMany([
      { _id: 'p1', name: 'Chair', price: 10 },
      { _id: 'p2', name: 'Table', price: 50 },
    ]);
    await orders.insertMany([
      { _id: 1, product: 'p1', qty: 2, lines: [{ n: 1 }, { n: 2 }] },
      { _id: 2, product: 'p2', qty: 1, lines: [{ n: 3 }] },
      { _id: 3, product: 'p1', qty: 5, lines: [] },
    ]);
    const grouped = await orders
      .aggregate([
        { $match: { qty: { $gte: 1 } } },
        { $group: { _id: '$product', total: { $sum: '$qty' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(grouped).toEqual([
      { _id: 'p1', total: 7 },
      { _id: 'p2', total: 1 },
    ]);
    const joined = await orders
      .aggregate([
        { $lookup: { from: 'products', localField: 'product', foreignField: '_id', as: 'p' } },
        { $unwind: '$p' },
        { $project: { _id: 1, name: '$p.name', cost: { $multiply: ['$qty', '$p.price'] } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(joined[0]).toEqual({ _id: 1, name: 'Chair', cost: 20 });
    const [facet] = await orders
      .aggregate([
        {
          $facet: { n: [{ $count: 'n' }], big: [{ $match: { qty: { $gt: 1 } } }, { $project: { _id: 1 } }] },
        },
      ])
      .toArray();
    expect(facet).toEqual({ n: [{ n: 3 }], big: [{ _id: 1 }, { _id: 3 }] });
    const lines = await orders
      .aggregate([{ $unwind: '$lines' }, { $replaceRoot: { newRoot: '$lines' } }, { $count: 'c' }])
      .toArray();
    expect(lines).toEqual([{ c: 3 }]);
    const shaped = await orders
      .aggregate([
        { $match: { _id: 2 } },
        { $addFields: { x: 1 } },
        { $set: { y: 2 } },
        { $unset: 'lines' },
        { $skip: 0 },
        { $limit: 1 },
      ])
      .toArray();
    expect(shaped).toEqual([{ _id: 2, product: 'p2', qty: 1, x: 1, y: 2 }]);

    await orders.aggregate([{ $group: { _id: '$product', n: { $sum: 1 } } }, { $out: 'summary' }]).toArray();
    expect(await db.collection('summary').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'p1', n: 2 },
      { _id: 'p2', n: 1 },
    ]);
    await db.collection('summary').createIndex({ n: 1 });
    await products
      .aggregate([
        { $project: { _id: 1, price: 1 } },
        { $merge: { into: 'summary', whenMatched: 'merge', whenNotMatched: 'insert' } },
      ])
      .toArray();
    expect(await db.collection<AnyDoc>('summary').findOne({ _id: 'p1' })).toEqual({
      _id: 'p1',
      n: 2,
      price: 10,
    });
    // stored docs must not be modified by pipelines
    expect(await orders.findOne({ _id: 2 })).toEqual({ _id: 2, product: 'p2', qty: 1, lines: [{ n: 3 }] });
  });

  it('iterates cursors with getMore and kills them', async () => {
    const c = db.collection('many');
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const cursor = c.find({}, { batchSize: 10 });
    let n = 0;
    for await (const _ of cursor) n++;
    expect(n).toBe(250);
    const partial = c.find({}, { batchSize: 5 });
    await partial.next();
    const id = partial.id;
    expect(id?.toNumber()).toBeGreaterThan(0);
    await partial.close();
    const err = await db.command({ getMore: id, collection: 'many' }).catch((e: MongoServerError) => e);
    expect(err).toMatchObject({ code: 43, codeName: 'CursorNotFound' });
    const res = await db.command({ killCursors: 'many', cursors: [id] });
    expect(res.cursorsNotFound).toHaveLength(1);
  });

  it('reports duplicate keys like mongod (single, ordered and unordered bulk)', async () => {
    const c = db.collection<AnyDoc>('dups');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ _id: 1, email: 'a@x' });
    const single = await c.insertOne({ _id: 2, email: 'a@x' }).catch((e: MongoServerError) => e);
    expect(single).toBeInstanceOf(Error);
    expect(single).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'a@x' } });
    const idDup = await c.insertOne({ _id: 1, email: 'other' }).catch((e: MongoServerError) => e);
    expect(idDup).toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 1 } });

    const ordered = await c
      .insertMany(
        [
          { _id: 10, email: 'b' },
          { _id: 11, email: 'a@x' },
          { _id: 12, email: 'c' },
        ],
        { ordered: true },
      )
      .catch((e: { writeErrors?: unknown; result?: unknown; code?: number; insertedCount?: number }) => e);
    expect(ordered).toMatchObject({ code: 11000 });
    expect(await c.countDocuments({ _id: { $in: [10, 11, 12] } })).toBe(1);

    const unordered = await c
      .insertMany(
        [
          { _id: 20, email: 'a@x' },
          { _id: 21, email: 'd' },
          { _id: 22, email: 'd' },
        ],
        { ordered: false },
      )
      .catch((e: { writeErrors: { index: number; code: number }[] }) => e);
    const errs = (unordered as { writeErrors: { index: number; code: number }[] }).writeErrors;
    expect(errs.map((e) => e.index)).toEqual([0, 2]);
    expect(await c.countDocuments({ _id: { $in: [20, 21, 22] } })).toBe(1);

    const upd = await c.updateOne({ _id: 21 }, { $set: { email: 'b' } }).catch((e: MongoServerError) => e);
    expect(upd).toMatchObject({ code: 11000 });
    const bulk = await c
      .bulkWrite(
        [
          { insertOne: { document: { _id: 30, email: 'e' } } },
          { updateOne: { filter: { _id: 30 }, update: { $set: { email: 'b' } } } },
          { deleteOne: { filter: { _id: 30 } } },
        ],
        { ordered: true },
      )
      .catch((e: MongoServerError) => e);
    expect(bulk).toMatchObject({ code: 11000 });
    expect(await c.findOne({ _id: 30 })).toEqual({ _id: 30, email: 'e' });
    await expect(
      c.createIndex({ email: 1, other: 1 }, { unique: true, name: 'email_1' }),
    ).rejects.toMatchObject({ code: 86 });
  });

  it('answers mongod error codes for unknown commands, missing namespaces and bad values', async () => {
    await expect(db.command({ frobnicate: 1 })).rejects.toMatchObject({
      code: 59,
      codeName: 'CommandNotFound',
    });
    await expect(db.collection('nope').dropIndex('x_1')).rejects.toMatchObject({
      code: 26,
      codeName: 'NamespaceNotFound',
    });
    await expect(db.renameCollection('nope', 'nope2')).rejects.toMatchObject({ code: 26 });
    expect(await db.collection('nope').drop()).toBe(true); // mongod 7.0: dropping a missing collection is ok
    await expect(
      db
        .collection('x')
        .find({ a: { $foo: 1 } })
        .toArray(),
    ).rejects.toMatchObject({ code: 2 });
    await expect(db.collection('x').deleteMany({ $where: 'true' })).rejects.toMatchObject({ code: 115 });
    await expect(
      db
        .collection('x')
        .find({ $text: { $search: 'x' } })
        .toArray(),
    ).rejects.toMatchObject({ code: 115 });
    await expect(
      db
        .collection('x')
        .aggregate([{ $foo: {} }])
        .toArray(),
    ).rejects.toMatchObject({ code: 40324 });
    await db.collection('x').insertOne({ a: 1 });
    await expect(
      db
        .collection('x')
        .aggregate([{ $project: { y: { $bogus: 1 } } }])
        .toArray(),
    ).rejects.toMatchObject({
      code: 168,
    });
    await expect(db.createCollection('created')).resolves.toBeDefined();
    await expect(db.createCollection('created')).rejects.toMatchObject({
      code: 48,
      codeName: 'NamespaceExists',
    });
    // mongod 5.0+ stores top-level $-prefixed names, not inside _id (test/dollarFields.int.spec.ts).
    await expect(db.collection('x').insertOne({ _id: { $bad: 1 } as never })).rejects.toMatchObject({
      code: 52,
      codeName: 'DollarPrefixedFieldName',
    });
  });

  it('uses indexes for equality lookups instead of scanning', async () => {
    const c = db.collection('indexed');
    await c.insertMany(Array.from({ length: 500 }, (_, i) => ({ i, sku: `s${i}`, group: i % 10 })));
    await c.createIndex({ sku: 1 });
    const explainSku = await c.find({ sku: 's42' }).explain();
    expect(explainSku.queryPlanner.winningPlan.inputStage).toMatchObject({
      stage: 'IXSCAN',
      indexName: 'sku_1',
    });
    const explainId = await db.collection<AnyDoc>('indexed').find({ _id: 'nope' }).explain();
    expect(explainId.queryPlanner.winningPlan.inputStage.stage).toBe('IDHACK');
    const explainScan = await c.find({ i: { $gt: 3 } }).explain();
    expect(explainScan.queryPlanner.winningPlan.stage).toBe('COLLSCAN');
    const stats = await db.command({ explain: { find: 'indexed', filter: { sku: { $in: ['s1', 's2'] } } } });
    expect(stats.queryPlanner.winningPlan.inputStage.stage).toBe('IXSCAN');
    expect(await c.find({ sku: { $in: ['s1', 's2'] } }).toArray()).toHaveLength(2);
    // A compound index answers equality on its first field (prefix), like a B-tree.
    await c.createIndex({ group: 1, i: -1 });
    const prefix = await c.find({ group: 3 }).explain();
    expect(prefix.queryPlanner.winningPlan.inputStage).toMatchObject({
      stage: 'IXSCAN',
      indexName: 'group_1_i_-1',
    });
    expect(await c.countDocuments({ group: 3 })).toBe(50);
    expect(await c.countDocuments({ group: 3, i: 13 })).toBe(1);
    await c.deleteMany({ group: 3 });
    expect(await c.countDocuments({ group: 3 })).toBe(0);
  });

  it('picks the index whose leading fields the equalities pin down furthest, sparse ones for non-null values', async () => {
    // As ordering's timers query fulfilments: two indexes on stage, one of them also on paid.
    const c = db.collection('timers');
    await c.insertMany(
      Array.from({ length: 300 }, (_, i) => ({
        stage: i % 3 === 0 ? 'Reserved' : 'Shipped',
        paid: i % 2 === 0,
        warehouse: i % 5 === 0 ? 'north' : 'main',
        paidAt: new Date(i * 1000),
        ...(i % 50 === 0 && { stockPending: i % 100 === 0 ? 'release' : 'ship' }),
      })),
    );
    await c.createIndexes([
      { key: { stage: 1, payBy: 1 }, name: 'expiry' },
      { key: { stage: 1, paid: 1, paidAt: 1 }, name: 'ready_to_pick' },
      { key: { stockPending: 1 }, name: 'stock_pending', sparse: true },
    ]);
    const planOf = async (filter: Document) =>
      (await c.find(filter).explain()).queryPlanner.winningPlan.inputStage?.indexName ?? 'COLLSCAN';
    const ready = { stage: 'Reserved', paid: true, warehouse: 'main' };
    expect(await planOf(ready)).toBe('ready_to_pick');
    const expected = Array.from({ length: 300 }, (_, i) => i).filter(
      (i) => i % 3 === 0 && i % 2 === 0 && i % 5 !== 0,
    ).length;
    expect(await c.countDocuments(ready)).toBe(expected);
    // The prefix maps follow writes: paying moves a document from one prefix to the other.
    await c.updateMany({ stage: 'Reserved', paid: false, warehouse: 'main' }, { $set: { paid: true } });
    expect(await c.countDocuments(ready)).toBe(
      Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 === 0 && i % 5 !== 0).length,
    );
    expect(await c.countDocuments({ stage: 'Reserved', paid: false })).toBe(
      Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 === 0 && i % 2 !== 0 && i % 5 === 0)
        .length,
    );
    // Equality on stage alone: either index; on paid alone, neither (not a leading field).
    expect(await planOf({ stage: 'Shipped' })).not.toBe('COLLSCAN');
    expect(await planOf({ paid: true })).toBe('COLLSCAN');
    // A sparse index holds only documents that have the field: it answers non-null values only.
    expect(await planOf({ stockPending: { $in: ['release', 'ship'] } })).toBe('stock_pending');
    expect(await c.countDocuments({ stockPending: { $in: ['release', 'ship'] } })).toBe(6);
    expect(await planOf({ stockPending: null })).toBe('COLLSCAN');
    expect(await c.countDocuments({ stockPending: null })).toBe(294);
    expect(await planOf({ stockPending: { $in: ['ship', null] } })).toBe('COLLSCAN');
    expect(await c.countDocuments({ stockPending: { $in: ['ship', null] } })).toBe(297);
  });

  it('lists, renames and drops collections, indexes and databases', async () => {
    const admin = client.db('ddl');
    await admin.collection('a').insertOne({ x: 1 });
    await admin.collection('a').createIndexes([
      { key: { x: 1 }, name: 'x_1' },
      { key: { y: -1 }, sparse: true },
    ]);
    expect((await admin.collection('a').indexes()).map((i) => i.name)).toEqual(['_id_', 'x_1', 'y_-1']);
    expect(await admin.listCollections({}, { nameOnly: true }).toArray()).toEqual([
      { name: 'a', type: 'collection' },
    ]);
    expect(await admin.listCollections({ name: 'zzz' }).toArray()).toEqual([]);
    await admin.renameCollection('a', 'b');
    expect((await admin.listCollections().toArray()).map((c) => c.name)).toEqual(['b']);
    expect(await admin.collection('b').countDocuments()).toBe(1);
    await admin.collection('b').dropIndex('x_1');
    expect((await admin.collection('b').indexes()).map((i) => i.name)).toEqual(['_id_', 'y_-1']);
    const dbs = await client.db().admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain('ddl');
    expect(await admin.dropDatabase()).toBe(true);
    expect((await client.db().admin().listDatabases()).databases.map((d) => d.name)).not.toContain('ddl');
  });

  it('queries across BSON types (ObjectId, Date, Long, Decimal128) and reports bulk upserts', async () => {
    const { Decimal128, Long, ObjectId } = bson;
    const c = db.collection('typed');
    const [a, b, d] = [new ObjectId(), new ObjectId(), new ObjectId()];
    await c.insertMany(
      [a, b, d].map((_id, i) => ({
        _id,
        owner: a,
        when: new Date(Date.UTC(2020, 0, i + 1)),
        l: Long.fromNumber(i * 10),
        dec: Decimal128.fromString(`${i}.5`),
      })),
    );
    expect(await c.countDocuments({ _id: { $in: [a, d] } })).toBe(2);
    expect(await c.countDocuments({ _id: { $gt: a } })).toBe(2);
    expect(await c.countDocuments({ when: { $gte: new Date(Date.UTC(2020, 0, 2)) } })).toBe(2);
    expect(await c.countDocuments({ l: { $gt: 5 } })).toBe(2);
    expect(await c.countDocuments({ l: 10 })).toBe(1);
    expect(await c.countDocuments({ dec: { $gte: 1 } })).toBe(2);
    // Binaries compare byte-exactly (two invalid-UTF-8 payloads must not look equal).
    const bin = db.collection('bins');
    const b1 = new bson.Binary(Buffer.from([0xff, 0xfe, 1]));
    const b2 = new bson.Binary(Buffer.from([0xfe, 0xff, 1]));
    await bin.insertMany([{ k: b1 }, { k: b2 }]);
    expect(await bin.countDocuments({ k: b1 })).toBe(1);
    expect(await bin.countDocuments({ k: { $in: [b2] } })).toBe(1);
    expect(await bin.countDocuments({ k: { $ne: b1 } })).toBe(1);
    const grouped = await c.aggregate([{ $group: { _id: '$owner', n: { $sum: 1 } } }]).toArray();
    expect(grouped).toHaveLength(1);
    expect(grouped[0]?.n).toBe(3);
    const r = await c.bulkWrite([
      { updateOne: { filter: { k: 1 }, update: { $set: { v: 1 } }, upsert: true } },
      { insertOne: { document: { k: 2 } } },
      { updateOne: { filter: { k: 3 }, update: { $set: { v: 3 } }, upsert: true } },
    ]);
    expect(r.upsertedCount).toBe(2);
    expect(Object.keys(r.upsertedIds)).toEqual(['0', '2']);
  });

  it('keeps cursors across connections, honours batchSize 0 and fire-and-forget writes', async () => {
    const c = db.collection('cursors2');
    await c.insertMany(Array.from({ length: 7 }, (_, i) => ({ i })));
    const first = await db.command({ find: 'cursors2', batchSize: 0 });
    expect(first.cursor.firstBatch).toEqual([]);
    const second = new Client(client.options.hosts.map((h) => `mongodb://${h.toString()}`)[0]!, {
      directConnection: true,
    });
    const more = await second.db('crud').command({ getMore: first.cursor.id, collection: 'cursors2' });
    expect(more.cursor.nextBatch).toHaveLength(7);
    await second.close();
    await c.insertOne({ fireAndForget: true }, { writeConcern: { w: 0 } }); // OP_MSG moreToCome: no reply
    await eventually(async () => (await c.countDocuments({ fireAndForget: true })) === 1);
  });

  it('answers admin commands used by tools', async () => {
    const admin = client.db('admin');
    expect((await admin.command({ ping: 1 })).ok).toBe(1);
    expect((await admin.command({ buildInfo: 1 })).version).toBe('7.0.0');
    expect((await admin.command({ hello: 1 })).setName).toBe('rs0');
    expect((await admin.command({ replSetGetStatus: 1 })).members[0].stateStr).toBe('PRIMARY');
    expect((await admin.command({ serverStatus: 1 })).ok).toBe(1);
    expect((await admin.command({ hostInfo: 1 })).ok).toBe(1);
    expect(
      (await admin.command({ getParameter: 1, featureCompatibilityVersion: 1 })).featureCompatibilityVersion
        .version,
    ).toBe('7.0');
    expect((await admin.command({ getLog: 'startupWarnings' })).ok).toBe(1);
    expect((await db.command({ dbStats: 1 })).ok).toBe(1);
    await db.collection('stats').insertOne({ a: 1 });
    expect((await db.command({ collStats: 'stats' })).count).toBe(1);
  });

  it('counts executed commands in serverStatus like mongod (opcounters, metrics.commands)', async () => {
    const admin = client.db('admin');
    const before = await admin.command({ serverStatus: 1 });
    const c = db.collection('counted');
    await c.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await c.updateOne({ n: 1 }, { $set: { m: 1 } });
    await c.deleteMany({ n: { $gt: 1 } });
    await c.findOne({ n: 1 });
    await db.command({ count: 'counted' });
    await db.command({ find: 'counted', filter: { $bogus: 1 } }).catch(() => undefined);
    const after = await admin.command({ serverStatus: 1 });
    // A command never run before has no entry yet.
    const delta = (read: (status: Document) => unknown) =>
      Number(read(after) ?? 0) - Number(read(before) ?? 0);
    expect(delta((s) => s.opcounters.insert)).toBe(3);
    expect(delta((s) => s.opcounters.update)).toBe(1);
    expect(delta((s) => s.opcounters.delete)).toBe(1);
    expect(delta((s) => s.opcounters.query)).toBe(2);
    // count, plus the first serverStatus itself
    expect(delta((s) => s.opcounters.command)).toBe(2);
    expect(delta((s) => s.metrics.commands.insert?.total)).toBe(1);
    expect(delta((s) => s.metrics.commands.find?.total)).toBe(2);
    expect(delta((s) => s.metrics.commands.find?.failed)).toBe(1);
    expect(delta((s) => s.metrics.commands.update?.failed)).toBe(0);
    const raw = await admin.command({ serverStatus: 1 }, { promoteLongs: false });
    expect(raw.opcounters.insert).toBeInstanceOf(bson.Long);
  });
});

describe('document validation', () => {
  let ctx: Awaited<ReturnType<typeof startWithClient>>;
  beforeAll(async () => {
    ctx = await startWithClient();
  });
  afterAll(async () => ctx.close());

  it('enforces $jsonSchema and query validators like mongod (121), with bypass and warn', async () => {
    const db = ctx.client.db('val');
    await db.createCollection('users', {
      validator: {
        $jsonSchema: {
          bsonType: 'object',
          required: ['email', 'age'],
          properties: { email: { bsonType: 'string', pattern: '@' }, age: { bsonType: 'int', minimum: 0 } },
        },
      },
    });
    const users = db.collection('users');
    await users.insertOne({ email: 'a@x', age: 3 });
    await expect(users.insertOne({ email: 'nope', age: 3 })).rejects.toMatchObject({ code: 121 });
    await expect(users.insertOne({ email: 'b@x' })).rejects.toMatchObject({ code: 121 });
    await expect(users.updateOne({ email: 'a@x' }, { $set: { age: -1 } })).rejects.toMatchObject({
      code: 121,
    });
    await users.insertOne({ email: 'bypass' }, { bypassDocumentValidation: true });
    await db.createCollection('orders', { validator: { qty: { $gt: 0 } }, validationAction: 'warn' });
    await db.collection('orders').insertOne({ qty: 0 });
    await db.command({ collMod: 'orders', validationAction: 'error' });
    await expect(db.collection('orders').insertOne({ qty: 0 })).rejects.toMatchObject({ code: 121 });
    await expect(
      db.createCollection('bad', { validator: { $jsonSchema: { patternProperties: { x: {} } } } }),
    ).rejects.toMatchObject({ code: 115 });
  });
});
