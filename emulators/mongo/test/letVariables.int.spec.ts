/**
 * Command-level `let` (mongod 5.0+), as the CRUD spec's unified tests use it (find-let, aggregate-let,
 * updateOne-let, updateMany-let, deleteOne-let, deleteMany-let, findOneAndUpdate-let, bulkWrite-*-let:
 * github.com/mongodb/specifications source/crud/tests/unified) and the server docs describe it
 * ("Use Variables in let", https://www.mongodb.com/docs/manual/reference/command/find/#std-label-find-let-syntax).
 */
import type { Collection, Db, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AnyDoc, err, startWithClient } from './helpers.js';

describe('let variables', () => {
  let db: Db;
  let c: Collection<AnyDoc>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const started = await startWithClient();
    close = started.close;
    db = started.client.db('letvars');
    c = db.collection<AnyDoc>('c');
  });
  afterAll(async () => close());
  beforeEach(async () => {
    await c.deleteMany({});
    await c.insertMany([
      { _id: 1, name: 'a', n: 1 },
      { _id: 2, name: 'b', n: 2 },
      { _id: 3, name: 'c', n: 3 },
    ]);
  });

  it('find reads $$name in $expr (crud unified find-let)', async () => {
    const docs = await c.find({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 2 } }).toArray();
    expect(docs).toEqual([{ _id: 2, name: 'b', n: 2 }]);
    // let values are expressions, evaluated once before the query (here 1 + 2).
    const computed = await c
      .find({ $or: [{ $expr: { $eq: ['$n', '$$three'] } }] }, { let: { three: { $add: [1, 2] } } })
      .toArray();
    expect(computed.map((d) => d._id)).toEqual([3]);
  });

  it('aggregate reads $$name in a leading $match, later stages and $lookup pipelines (aggregate-let)', async () => {
    const out = await c
      .aggregate(
        [
          { $match: { $expr: { $gte: ['$n', '$$min'] } } },
          { $project: { _id: 1, label: { $concat: ['$name', '$$suffix'] } } },
          { $lookup: { from: 'c', pipeline: [{ $match: { $expr: { $eq: ['$n', '$$min'] } } }], as: 'm' } },
          { $set: { m: { $size: '$m' } } },
        ],
        { let: { min: 2, suffix: '!' } },
      )
      .toArray();
    expect(out).toEqual([
      { _id: 2, label: 'b!', m: 1 },
      { _id: 3, label: 'c!', m: 1 },
    ]);
  });

  it('updateOne/updateMany read $$name in the filter and in a pipeline update (updateOne-let, updateMany-let)', async () => {
    const r = await c.updateOne(
      { $expr: { $eq: ['$name', '$$name'] } },
      [{ $set: { x: '$$x', nested: { y: '$$x' } } }],
      { let: { name: 'b', x: 'foo' } },
    );
    expect(r.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 2 })).toEqual({ _id: 2, name: 'b', n: 2, x: 'foo', nested: { y: 'foo' } });
    const many = await c.updateMany(
      { $expr: { $lt: ['$n', '$$limit'] } },
      [{ $replaceWith: { $mergeObjects: ['$$ROOT', { tag: '$$tag' }] } }],
      { let: { limit: 3, tag: 't' } },
    );
    expect(many.modifiedCount).toBe(2);
    expect((await c.find({ tag: 't' }).toArray()).map((d) => d._id)).toEqual([1, 2]);
  });

  it('deleteOne/deleteMany read $$name (deleteOne-let, deleteMany-let)', async () => {
    await c.deleteOne({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 1 } });
    const r = await c.deleteMany({ $expr: { $gt: ['$n', '$$n'] } }, { let: { n: 2 } });
    expect(r.deletedCount).toBe(1);
    expect((await c.find().toArray()).map((d) => d._id)).toEqual([2]);
  });

  it('findOneAndUpdate / findOneAndDelete read $$name (findOneAndUpdate-let, findOneAndDelete-let)', async () => {
    const doc = await c.findOneAndUpdate(
      { $expr: { $eq: ['$name', '$$name'] } },
      [{ $set: { n: { $add: ['$n', '$$inc'] } } }],
      { let: { name: 'c', inc: 10 }, returnDocument: 'after' },
    );
    expect(doc).toEqual({ _id: 3, name: 'c', n: 13 });
    const gone = await c.findOneAndDelete({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 1 } });
    expect(gone?._id).toBe(1);
  });

  it('bulkWrite passes its let to the update and delete commands (bulkWrite-updateMany-let, bulkWrite-deleteOne-let)', async () => {
    const r = await c.bulkWrite(
      [
        {
          updateMany: {
            filter: { $expr: { $lte: ['$n', '$$max'] } },
            update: [{ $set: { seen: '$$mark' } }],
          },
        },
        { deleteOne: { filter: { $expr: { $eq: ['$_id', '$$max'] } } } },
      ],
      { let: { max: 2, mark: true } },
    );
    expect(r.modifiedCount).toBe(2);
    expect(r.deletedCount).toBe(1);
    expect(await c.find().toArray()).toEqual([
      { _id: 1, name: 'a', n: 1, seen: true },
      { _id: 3, name: 'c', n: 3 },
    ]);
  });

  it('refuses variable names mongod refuses (Variables::validateNameForUserWrite: 16866/16867/16868)', async () => {
    // $$ROOT, $$NOW and other system variables cannot be redefined: names must start lowercase.
    const root = await err(c.find({}, { let: { ROOT: 1 } }).toArray());
    expect(root).toMatchObject({
      code: 16867,
      message: "'ROOT' starts with an invalid character for a user variable name",
    });
    const now = await err(c.updateOne({}, { $set: { a: 1 } }, { let: { NOW: 1 } }));
    expect(now).toMatchObject({ code: 16867 });
    const bad = await err(c.deleteOne({}, { let: { 'a-b': 1 } }));
    expect(bad).toMatchObject({
      code: 16868,
      message: "'a-b' contains an invalid character for a variable name: '-'",
    });
    const empty = await err(c.aggregate([], { let: { '': 1 } }).toArray());
    expect(empty).toMatchObject({ code: 16866 });
    // A let expression runs before any document is read (mongod 4890500).
    const field = await err(c.find({}, { let: { x: '$name' } }).toArray());
    expect(field).toMatchObject({ code: 4890500 });
    expect(await c.countDocuments()).toBe(3);
  });

  it('refuses a let inside an update statement: mongod takes it per command only (IDL unknown field 40415)', async () => {
    const err = await db
      .command({ update: 'c', updates: [{ q: {}, u: { $set: { a: 1 } }, let: { x: 1 } }] })
      .catch((e: MongoServerError) => e);
    expect(err).toMatchObject({
      code: 40415,
      message: "BSON field 'update.updates.let' is an unknown field.",
    });
    expect(await c.countDocuments({ a: 1 })).toBe(0);
  });
});
