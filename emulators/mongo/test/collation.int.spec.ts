/**
 * Collation, as mongod applies it (https://www.mongodb.com/docs/manual/reference/collation/, "Collation and
 * Index Use" in .../indexes/, the CRUD spec's unified collation tests in github.com/mongodb/specifications
 * source/crud/tests/unified/*-collation.json), errors from CollatorFactoryICU::makeFromBSON
 * (src/mongo/db/query/collation/collator_factory_icu.cpp).
 */
import type { Collection, Db } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AnyDoc, err, startWithClient } from './helpers.js';

const caseInsensitive = { locale: 'en', strength: 2 };

describe('collation', () => {
  let db: Db;
  let c: Collection<AnyDoc>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const started = await startWithClient();
    close = started.close;
    db = started.client.db('collation');
    c = db.collection<AnyDoc>('words');
  });
  afterAll(async () => close());
  beforeEach(async () => {
    await c.deleteMany({});
    await c.insertMany([
      { _id: 1, w: 'apple', n: '10' },
      { _id: 2, w: 'Apple', n: '9' },
      { _id: 3, w: 'APPLE', n: '2' },
      { _id: 4, w: 'banana', n: '010' },
      { _id: 5, w: 'café', n: '1' },
      { _id: 6, w: 'cafe', n: '3' },
      { _id: 7, w: 'Cafe', n: '4' },
    ]);
  });

  const ids = (docs: AnyDoc[]): unknown[] => docs.map((d) => d._id);

  it('find: strength 2 ignores case in filters; the sort follows the locale (simple stays binary)', async () => {
    expect(ids(await c.find({ w: 'apple' }, { collation: caseInsensitive }).toArray())).toEqual([1, 2, 3]);
    expect(ids(await c.find({ w: { $in: ['CAFE'] } }, { collation: caseInsensitive }).toArray())).toEqual([
      6, 7,
    ]);
    expect(ids(await c.find({ w: 'apple' }).toArray())).toEqual([1]);
    expect(ids(await c.find({ w: 'apple' }, { collation: { locale: 'simple' } }).toArray())).toEqual([1]);
    // Binary order puts upper case first; the en collation sorts letters alphabetically.
    const binary = await c.find({}, { sort: { w: 1, _id: 1 }, projection: { _id: 0, w: 1 } }).toArray();
    expect(binary.map((d) => d.w)).toEqual(['APPLE', 'Apple', 'Cafe', 'apple', 'banana', 'cafe', 'café']);
    const en = await c.find({}, { sort: { w: 1, _id: 1 }, collation: { locale: 'en' } }).toArray();
    expect(en.map((d) => d.w)).toEqual(['apple', 'Apple', 'APPLE', 'banana', 'cafe', 'Cafe', 'café']);
    // Ranges compare strings by the collation too.
    expect(
      ids(await c.find({ w: { $gt: 'b' } }, { collation: caseInsensitive, sort: { _id: 1 } }).toArray()),
    ).toEqual([4, 5, 6, 7]);
  });

  it('strength 1 ignores accents, caseLevel keeps case apart, caseFirst orders case', async () => {
    expect(ids(await c.find({ w: 'cafe' }, { collation: { locale: 'fr', strength: 1 } }).toArray())).toEqual([
      5, 6, 7,
    ]);
    const caseLevel = { locale: 'fr', strength: 1, caseLevel: true };
    expect(ids(await c.find({ w: 'cafe' }, { collation: caseLevel }).toArray())).toEqual([5, 6]);
    const upperFirst = await c
      .find({ w: /^a/i }, { sort: { w: 1 }, collation: { locale: 'en', caseFirst: 'upper' } })
      .toArray();
    expect(upperFirst.map((d) => d.w)).toEqual(['APPLE', 'Apple', 'apple']);
  });

  it('numericOrdering compares digit runs as numbers; alternate shifted ignores punctuation', async () => {
    const numeric = { locale: 'en', numericOrdering: true };
    const sorted = await c.find({}, { sort: { n: 1 }, collation: numeric }).toArray();
    expect(sorted.map((d) => d.n)).toEqual(['1', '2', '3', '4', '9', '10', '010']);
    expect(
      ids(await c.find({ n: { $gt: '9' } }, { collation: numeric, sort: { _id: 1 } }).toArray()),
    ).toEqual([1, 4]);
    expect(ids(await c.find({ n: '10' }, { collation: numeric, sort: { _id: 1 } }).toArray())).toEqual([
      1, 4,
    ]);
    await c.insertOne({ _id: 8, w: 'ban-ana' });
    const shifted = { locale: 'en', alternate: 'shifted' };
    expect(ids(await c.find({ w: 'banana' }, { collation: shifted, sort: { _id: 1 } }).toArray())).toEqual([
      4, 8,
    ]);
  });

  it('aggregate: $match, $sort and $group keys follow the collation', async () => {
    const out = await c
      .aggregate(
        [
          { $match: { w: { $in: ['apple', 'cafe'] } } },
          { $group: { _id: '$w', n: { $sum: 1 } } },
          { $sort: { _id: 1 } },
          { $project: { _id: 0, n: 1 } },
        ],
        { collation: caseInsensitive },
      )
      .toArray();
    expect(out).toEqual([{ n: 3 }, { n: 2 }]);
    // $expr comparisons inside the pipeline too.
    const expr = await c
      .aggregate([{ $match: { $expr: { $eq: ['$w', 'BANANA'] } } }], { collation: caseInsensitive })
      .toArray();
    expect(ids(expr as AnyDoc[])).toEqual([4]);
  });

  it('count, countDocuments and distinct', async () => {
    expect(await c.countDocuments({ w: 'APPLE' }, { collation: caseInsensitive })).toBe(3);
    const counted = await db.command({ count: 'words', query: { w: 'Cafe' }, collation: caseInsensitive });
    expect(counted.n).toBe(2);
    const distinct = await c.distinct('w', { w: { $in: ['apple', 'cafe'] } }, { collation: caseInsensitive });
    // The first value seen stands for its equals (crud unified distinct-collation: ['PING'] of PING, ping).
    expect(distinct).toEqual(['apple', 'cafe']);
    expect((await c.distinct('w', { w: { $in: ['apple', 'Apple'] } })).sort()).toEqual(['Apple', 'apple']);
  });

  it('update, delete, findAndModify and per-statement bulk collations', async () => {
    const u = await c.updateMany({ w: 'apple' }, { $set: { fruit: true } }, { collation: caseInsensitive });
    expect(u.modifiedCount).toBe(3);
    const found = await c.findOneAndUpdate(
      { w: 'CAFE' },
      { $set: { hot: true } },
      { collation: caseInsensitive, sort: { _id: -1 }, returnDocument: 'after' },
    );
    expect(found?._id).toBe(7);
    const bulk = await c.bulkWrite([
      { updateOne: { filter: { w: 'BANANA' }, update: { $set: { y: 1 } }, collation: caseInsensitive } },
      { deleteMany: { filter: { w: 'cafe' }, collation: { locale: 'fr', strength: 1 } } },
      { deleteOne: { filter: { w: 'APPLE' } } },
    ]);
    expect(bulk.modifiedCount).toBe(1);
    expect(bulk.deletedCount).toBe(4);
    expect(ids(await c.find({}, { sort: { _id: 1 } }).toArray())).toEqual([1, 2, 4]);
    const removed = await c.findOneAndDelete(
      { w: 'APPLE' },
      { collation: caseInsensitive, sort: { _id: 1 } },
    );
    expect(removed?._id).toBe(1);
  });

  it('a unique index with a case-insensitive collation treats "A" and "a" as duplicates', async () => {
    const users = db.collection<AnyDoc>('users');
    await users.createIndex({ email: 1 }, { unique: true, collation: caseInsensitive, name: 'email_ci' });
    await users.insertOne({ _id: 1, email: 'Ann@example.com' });
    expect(await err(users.insertOne({ _id: 2, email: 'ann@EXAMPLE.com' }))).toMatchObject({ code: 11000 });
    await users.insertOne({ _id: 3, email: 'bob@example.com' });
    expect(await err(users.updateOne({ _id: 3 }, { $set: { email: 'ANN@example.com' } }))).toMatchObject({
      code: 11000,
    });
    // A query without the index's collation is answered by its own (binary) semantics, never the index's.
    expect(await users.findOne({ email: 'ann@example.com' })).toBeNull();
    expect((await users.findOne({ email: 'ann@example.com' }, { collation: caseInsensitive }))?._id).toBe(1);
    const index = (await users.listIndexes().toArray()).find((i) => i.name === 'email_ci');
    expect(index?.collation).toMatchObject({
      locale: 'en',
      strength: 2,
      caseLevel: false,
      numericOrdering: false,
    });
    // Creating the index over existing duplicates fails like mongod.
    const dup = db.collection<AnyDoc>('dups');
    await dup.insertMany([
      { _id: 1, k: 'X' },
      { _id: 2, k: 'x' },
    ]);
    expect(await err(dup.createIndex({ k: 1 }, { unique: true, collation: caseInsensitive }))).toMatchObject({
      code: 11000,
    });
    await dup.createIndex({ k: 1 }, { unique: true });
  });

  it('a collection default collation (create with collation) applies to queries and its indexes', async () => {
    await db.createCollection('tags', { collation: caseInsensitive });
    const tags = db.collection<AnyDoc>('tags');
    await tags.insertMany([
      { _id: 1, t: 'Red' },
      { _id: 2, t: 'red' },
      { _id: 3, t: 'blue' },
    ]);
    expect(ids(await tags.find({ t: 'RED' }).toArray())).toEqual([1, 2]);
    expect(ids(await tags.find({ t: 'RED' }, { collation: { locale: 'simple' } }).toArray())).toEqual([]);
    expect(await tags.countDocuments({ t: 'RED' })).toBe(2);
    const info = await db.listCollections({ name: 'tags' }, { nameOnly: false }).next();
    expect((info as { options?: { collation?: unknown } } | null)?.options?.collation).toMatchObject({
      locale: 'en',
      strength: 2,
      version: expect.any(String),
    });
    // An index created without a collation inherits the default: "BLUE" duplicates "blue".
    await tags.createIndex({ t: 1 }, { unique: true, partialFilterExpression: { _id: { $gte: 3 } } });
    expect(await err(tags.insertOne({ _id: 4, t: 'BLUE' }))).toMatchObject({ code: 11000 });
  });

  it('refuses invalid collations like mongod', async () => {
    const find = (collation: object) => err(c.find({}, { collation } as never).toArray());
    expect(await find({ locale: 'xx' })).toMatchObject({
      code: 2,
      message: `Field 'locale' is invalid in: { locale: "xx" }`,
    });
    expect(await find({ strength: 2 })).toMatchObject({
      code: 4,
      message: 'Missing expected field "locale"',
    });
    expect(await find({ locale: 'en', strength: 6 })).toMatchObject({
      code: 9,
      message: "Field 'strength' must be an integer 1 through 5. Got: 6",
    });
    expect(await find({ locale: 'en', bogus: 1 })).toMatchObject({ code: 9 });
    expect(await find({ locale: 'simple', strength: 1 })).toMatchObject({ code: 9 });
    expect(await find({ locale: 'en', strength: 1, caseFirst: 'upper' })).toMatchObject({ code: 2 });
    expect(await find({ locale: 'en', caseFirst: 'sideways' })).toMatchObject({ code: 9 });
    expect(
      await err(
        c.updateOne({}, { $set: { a: 1 } }, { collation: { locale: 'en', caseLevel: 'yes' } as never }),
      ),
    ).toMatchObject({ code: 14 });
    expect(await err(db.createCollection('bad', { collation: { locale: 'zz' } }))).toMatchObject({ code: 2 });
  });
});
