/**
 * Read-only views, as mongod 7.0 has them (https://www.mongodb.com/docs/manual/core/views/ and
 * .../reference/command/create/#create-a-view; error codes from src/mongo/base/error_codes.yml:
 * CommandNotSupportedOnView 166, GraphContainsCycle 5).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Collection, type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoServer } from '../src/index.js';
import { type AnyDoc, err, startWithClient } from './helpers.js';

describe('views', () => {
  let db: Db;
  let people: Collection<AnyDoc>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const started = await startWithClient();
    close = started.close;
    db = started.client.db('views');
    people = db.collection<AnyDoc>('people');
    await people.insertMany([
      { _id: 1, name: 'ann', age: 31, city: 'oslo', tags: ['a', 'b'] },
      { _id: 2, name: 'bob', age: 17, city: 'rome', tags: ['b'] },
      { _id: 3, name: 'cid', age: 45, city: 'oslo', tags: ['c'] },
      { _id: 4, name: 'dan', age: 22, city: 'lima', tags: [] },
    ]);
    // createCollection with viewOn + pipeline sends `create` with those options.
    await db.createCollection('adults', {
      viewOn: 'people',
      pipeline: [{ $match: { age: { $gte: 18 } } }, { $project: { tags: 0 } }],
    });
    // A view on a view: its pipeline runs after the inner view's.
    await db.createCollection('osloAdults', { viewOn: 'adults', pipeline: [{ $match: { city: 'oslo' } }] });
  });
  afterAll(async () => close());

  it('find runs the view pipeline, then filter, sort, skip, limit and projection', async () => {
    const adults = db.collection<AnyDoc>('adults');
    expect(await adults.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 1, name: 'ann', age: 31, city: 'oslo' },
      { _id: 3, name: 'cid', age: 45, city: 'oslo' },
      { _id: 4, name: 'dan', age: 22, city: 'lima' },
    ]);
    const page = await adults
      .find({ age: { $lt: 40 } }, { projection: { _id: 0, name: 1 } })
      .sort({ age: -1 })
      .skip(1)
      .limit(1)
      .toArray();
    expect(page).toEqual([{ name: 'dan' }]);
    expect(await adults.findOne({ name: 'bob' })).toBeNull();
  });

  it('aggregate, count, countDocuments, estimatedDocumentCount and distinct read through views on views', async () => {
    const osloAdults = db.collection<AnyDoc>('osloAdults');
    expect(await osloAdults.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, name: 'ann', age: 31, city: 'oslo' },
      { _id: 3, name: 'cid', age: 45, city: 'oslo' },
    ]);
    const grouped = await db
      .collection('adults')
      .aggregate([{ $group: { _id: '$city', n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(grouped).toEqual([
      { _id: 'lima', n: 1 },
      { _id: 'oslo', n: 2 },
    ]);
    // estimatedDocumentCount sends `count` (no query): mongod answers it through the view.
    expect(await db.collection('adults').estimatedDocumentCount()).toBe(3);
    expect(await osloAdults.estimatedDocumentCount()).toBe(2);
    expect(await db.collection('adults').countDocuments({ age: { $gt: 30 } })).toBe(2);
    expect((await db.collection('adults').distinct('city')).sort()).toEqual(['lima', 'oslo']);
    // $lookup from a view sees the view's documents.
    const joined = await people
      .aggregate([
        { $match: { _id: 2 } },
        { $lookup: { from: 'osloAdults', pipeline: [{ $project: { _id: 1 } }], as: 'oslo' } },
      ])
      .toArray();
    expect(joined[0]?.oslo).toEqual([{ _id: 1 }, { _id: 3 }]);
  });

  it('reflects later writes to the source collection', async () => {
    await people.insertOne({ _id: 5, name: 'eve', age: 50, city: 'oslo' });
    expect(await db.collection('osloAdults').countDocuments()).toBe(3);
    await people.deleteOne({ _id: 5 });
  });

  it('refuses writes and index builds with CommandNotSupportedOnView (166)', async () => {
    const adults = db.collection<AnyDoc>('adults');
    const message = 'Namespace views.adults is a view, not a collection';
    expect(await err(adults.insertOne({ _id: 9 }))).toMatchObject({ code: 166, message });
    expect(await err(adults.updateOne({ _id: 1 }, { $set: { x: 1 } }))).toMatchObject({ code: 166 });
    expect(await err(adults.deleteMany({}))).toMatchObject({ code: 166 });
    expect(await err(adults.findOneAndUpdate({ _id: 1 }, { $set: { x: 1 } }))).toMatchObject({ code: 166 });
    expect(await err(adults.createIndex({ name: 1 }))).toMatchObject({ code: 166 });
    // A batch: every statement of an unordered batch fails on its own.
    const batch = await err(adults.insertMany([{ _id: 10 }, { _id: 11 }], { ordered: false }));
    expect((batch as unknown as { writeErrors: unknown[] }).writeErrors).toHaveLength(2);
    expect(await people.countDocuments()).toBe(4);
  });

  it('lists views with type view, their options and readOnly info', async () => {
    const infos = await db.listCollections({ type: 'view' }).toArray();
    expect(infos).toEqual([
      {
        name: 'adults',
        type: 'view',
        options: {
          viewOn: 'people',
          pipeline: [{ $match: { age: { $gte: 18 } } }, { $project: { tags: 0 } }],
        },
        info: { readOnly: true },
      },
      {
        name: 'osloAdults',
        type: 'view',
        options: { viewOn: 'adults', pipeline: [{ $match: { city: 'oslo' } }] },
        info: { readOnly: true },
      },
    ]);
    const names = await db.listCollections({}, { nameOnly: true }).toArray();
    expect(names).toContainEqual({ name: 'people', type: 'collection' });
    expect(names).toContainEqual({ name: 'adults', type: 'view' });
  });

  it('validates the view definition like mongod', async () => {
    expect(await err(db.command({ create: 'v1', viewOn: 'people', pipeline: {} }))).toMatchObject({
      code: 14,
    });
    expect(await err(db.command({ create: 'v2', pipeline: [] }))).toMatchObject({ code: 72 });
    expect(await err(db.command({ create: 'adults', viewOn: 'people' }))).toMatchObject({ code: 48 });
    expect(
      await err(db.createCollection('w', { viewOn: 'people', pipeline: [{ $out: 'x' }] })),
    ).toMatchObject({
      code: 167,
      message:
        'Invalid pipeline for view views.w :: caused by :: The aggregation stage $out in location 0 of the pipeline cannot be used in the view definition of views.w because it writes to disk',
    });
    // A view created on a missing namespace is allowed; closing the loop is a cycle (GraphContainsCycle 5),
    // printed as mongod's ViewGraph prints its walk: the view, then the walk back to it reversed.
    await db.createCollection('loopA', { viewOn: 'loopB', pipeline: [] });
    expect(await err(db.createCollection('loopB', { viewOn: 'loopA', pipeline: [] }))).toMatchObject({
      code: 5,
      message: 'View cycle detected: views.loopB => views.loopB => views.loopA => views.loopB',
    });
    expect(await err(db.createCollection('self', { viewOn: 'self', pipeline: [] }))).toMatchObject({
      code: 5,
      message: 'View cycle detected: views.self => views.self => views.self',
    });
    expect(await db.collection('loopA').find().toArray()).toEqual([]);
  });

  it('drops a view without touching its source', async () => {
    await db.createCollection('young', { viewOn: 'people', pipeline: [{ $match: { age: { $lt: 18 } } }] });
    expect(await db.collection('young').countDocuments()).toBe(1);
    // mongod's drop_collection.cpp: a view's reply names the namespace only (no nIndexesWas).
    const { ok, ns, nIndexesWas } = await db.command({ drop: 'young' });
    expect({ ok, ns, nIndexesWas }).toEqual({ ok: 1, ns: 'views.young', nIndexesWas: undefined });
    expect((await db.listCollections({ name: 'young' }).toArray()).length).toBe(0);
    expect(await people.countDocuments()).toBe(4);
  });
});

/**
 * Commands that need a collection, each as mongod 7.0/8.0 answers it for a view
 * (jstests/core/views/views_all_commands.js, views_change.js; messages from rename_collection.cpp,
 * validate_state.cpp, compact.cpp, coll_mod.cpp and the catalog's "is a view, not a collection").
 */
describe('views in commands that need a collection', () => {
  let client: MongoClient;
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await startWithClient());
    db = client.db('vc');
    await db.collection<AnyDoc>('src').insertMany([
      { _id: 1, g: 1 },
      { _id: 2, g: 2 },
      { _id: 3, g: 1 },
    ]);
    await db.collection<AnyDoc>('other').insertOne({ _id: 9, g: 2 });
    await db.createCollection('v', { viewOn: 'src', pipeline: [{ $match: { g: 1 } }] });
  });
  afterAll(async () => close());
  const ids = async (name: string) =>
    (await db.collection<AnyDoc>(name).find().sort({ _id: 1 }).toArray()).map((d) => d._id);
  const definition = async (name: string) =>
    ((await db.listCollections({ name }).next()) as { options?: unknown } | null)?.options;

  it('refuses dropIndexes, collStats, validate and compact on a view with 166', async () => {
    const notACollection = { code: 166, message: 'Namespace vc.v is a view, not a collection' };
    expect(await err(db.command({ dropIndexes: 'v', index: '*' }))).toMatchObject(notACollection);
    expect(await err(db.collection('v').dropIndex('g_1'))).toMatchObject(notACollection);
    expect(await err(db.command({ collStats: 'v' }))).toMatchObject(notACollection);
    expect(await err(db.collection('v').listIndexes().toArray())).toMatchObject(notACollection);
    expect(await err(db.command({ validate: 'v' }))).toMatchObject({
      code: 166,
      message: 'Cannot validate a view',
    });
    expect(await err(db.command({ compact: 'v' }))).toMatchObject({
      code: 166,
      message: "can't compact a view",
    });
    // A collection is validated and compacted (nothing to repair or reclaim in memory).
    expect(await db.command({ validate: 'src' })).toMatchObject({
      ns: 'vc.src',
      nrecords: 3,
      valid: true,
      ok: 1,
    });
    expect(await db.command({ compact: 'src' })).toMatchObject({ bytesFreed: 0, ok: 1 });
    expect(await err(db.command({ validate: 'nope' }))).toMatchObject({
      code: 26,
      message: "Collection 'vc.nope' does not exist to validate.",
    });
    expect(await ids('v')).toEqual([1, 3]);
  });

  it('refuses renaming a view (166) and renaming onto one, even with dropTarget (48)', async () => {
    expect(await err(db.renameCollection('v', 'v2'))).toMatchObject({
      code: 166,
      message: 'cannot rename view: vc.v',
    });
    for (const dropTarget of [false, true])
      expect(await err(db.renameCollection('other', 'v', { dropTarget }))).toMatchObject({
        code: 48,
        message: 'a view already exists with that name: vc.v',
      });
    expect(await ids('v')).toEqual([1, 3]);
    expect(await ids('other')).toEqual([9]);
    expect(await db.listCollections({ name: 'v2' }).toArray()).toEqual([]);
  });

  it('collMod with viewOn and/or pipeline changes the view, validated like create', async () => {
    await db.createCollection('w', { viewOn: 'src', pipeline: [{ $match: { g: 1 } }] });
    await db.createCollection('onW', { viewOn: 'w', pipeline: [] });
    // Each of pipeline and viewOn replaces its own half of the definition.
    expect(await db.command({ collMod: 'w', pipeline: [{ $match: { g: 2 } }] })).toMatchObject({ ok: 1 });
    expect(await ids('w')).toEqual([2]);
    expect(await definition('w')).toEqual({ viewOn: 'src', pipeline: [{ $match: { g: 2 } }] });
    await db.command({ collMod: 'w', viewOn: 'other' });
    expect(await ids('w')).toEqual([9]);
    expect(await ids('onW')).toEqual([9]);
    await db.command({ collMod: 'w', viewOn: 'src', pipeline: [] });
    expect(await ids('onW')).toEqual([1, 2, 3]);

    const refused: [Record<string, unknown>, number, string][] = [
      [{ viewOn: 'onW', pipeline: [] }, 5, 'View cycle detected: vc.w => vc.w => vc.onW => vc.w'],
      [
        { pipeline: [{ $out: 'x' }] },
        167,
        'Invalid pipeline for view vc.w :: caused by :: The aggregation stage $out in location 0 of the pipeline cannot be used in the view definition of vc.w because it writes to disk',
      ],
      [
        { pipeline: { $match: {} } },
        14,
        "BSON field 'collMod.pipeline' is the wrong type 'object', expected type 'array'",
      ],
      [{ viewOn: 5 }, 14, "BSON field 'collMod.viewOn' is the wrong type 'int', expected type 'string'"],
      [{ viewOn: '' }, 2, "'viewOn' cannot be empty"],
      [{ index: { name: 'g_1', hidden: true } }, 72, 'option not supported on a view: index'],
      [{ validator: { g: 1 } }, 72, 'option not supported on a view: validator'],
      [{ validationLevel: 'off' }, 72, 'option not supported on a view: validationLevel'],
      [
        { changeStreamPreAndPostImages: { enabled: true } },
        72,
        'option not supported on a view: changeStreamPreAndPostImages',
      ],
      [{ expireAfterSeconds: 10 }, 72, 'option not supported on a view: expireAfterSeconds'],
    ];
    for (const [options, code, message] of refused)
      expect(await err(db.command({ collMod: 'w', ...options })), JSON.stringify(options)).toMatchObject({
        code,
        message,
      });
    expect(await definition('w')).toEqual({ viewOn: 'src', pipeline: [] });

    // A collection takes neither option (pipeline is checked first, as in coll_mod.cpp).
    expect(await err(db.command({ collMod: 'src', viewOn: 'other', pipeline: [] }))).toMatchObject({
      code: 72,
      message: 'option only supported on a view: pipeline',
    });
    expect(await err(db.command({ collMod: 'src', viewOn: 'other' }))).toMatchObject({
      code: 72,
      message: 'option only supported on a view: viewOn',
    });
    expect((await db.listCollections({ name: 'src' }).next())?.type).toBe('collection');
    expect(await ids('src')).toEqual([1, 2, 3]);
  });
});

describe('views across a restart', () => {
  it('keeps the definition in the data directory (journal and snapshot)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-emu-views-'));
    try {
      for (let round = 0; round < 2; round++) {
        const server = await startMongoServer({ port: 0, dbPath: dir });
        const client = new MongoClient(server.uri);
        const db = client.db('v');
        if (round === 0) {
          await db.collection('c').insertMany([{ n: 1 }, { n: 2 }]);
          await db.createCollection('big', { viewOn: 'c', pipeline: [{ $match: { n: { $gt: 1 } } }] });
        }
        expect(
          await db
            .collection('big')
            .find({}, { projection: { _id: 0 } })
            .toArray(),
        ).toEqual([{ n: 2 }]);
        await client.close();
        await server.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('views with a collation', () => {
  it("read with the view's default collation; another collation is refused (OptionNotSupportedOnView 167)", async () => {
    const { client, close } = await startWithClient();
    try {
      const db = client.db('vc');
      await db.collection('names').insertMany([{ n: 'Ann' }, { n: 'ann' }, { n: 'Bob' }]);
      const ci = { locale: 'en', strength: 2 };
      await db.createCollection('ci', { viewOn: 'names', pipeline: [], collation: ci });
      const view = db.collection('ci');
      expect(await view.countDocuments({ n: 'ANN' })).toBe(2);
      expect(await view.find({ n: 'ann' }, { collation: ci }).toArray()).toHaveLength(2);
      expect(await err(view.find({}, { collation: { locale: 'fr' } }).toArray())).toMatchObject({
        code: 167,
      });
      const info = await db.listCollections({ name: 'ci' }, { nameOnly: false }).next();
      expect((info as { options?: { collation?: unknown } } | null)?.options?.collation).toMatchObject(ci);
      // $out into a view is refused like any other write to it.
      expect(
        await err(
          db
            .collection('names')
            .aggregate([{ $out: 'ci' }])
            .toArray(),
        ),
      ).toMatchObject({ code: 166 });
      // A change stream cannot watch a view.
      const stream = view.watch();
      expect(await err(stream.tryNext())).toMatchObject({ code: 166 });
      await stream.close();
    } finally {
      await close();
    }
  });
});
