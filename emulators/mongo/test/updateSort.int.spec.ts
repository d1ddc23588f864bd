import type { Collection, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AnyDoc, startWithClient } from './helpers.js';

// `sort` on updateOne / replaceOne, by the release the server presents. Expected behaviour:
// specifications source/crud/tests/unified/updateOne-sort.yml and replaceOne-sort.yml (8.0+: the first
// document in sort order is written; below 8.0: a server-side error and nothing written).
describe.each([
  ['7.0', 21],
  ['8.0', 25],
] as const)('update statements with sort, server presenting mongod %s', (release, wire) => {
  let client: MongoClient;
  let close: () => Promise<void>;
  let c: Collection<AnyDoc>;
  beforeAll(async () => {
    ({ client, close } = await startWithClient({ mongodVersion: release }));
    c = client.db('sort').collection<AnyDoc>('c');
  });
  afterAll(async () => {
    await close();
  });
  beforeEach(async () => {
    await c.deleteMany({});
    await c.insertMany([
      { _id: 1, x: 11 },
      { _id: 2, x: 22 },
      { _id: 3, x: 33 },
    ]);
  });

  it('reports the release in buildInfo and hello (maxWireVersion)', async () => {
    const admin = client.db('admin');
    const info = await admin.command({ buildInfo: 1 });
    expect(info.version).toBe(`${release}.0`);
    expect(info.versionArray.slice(0, 2)).toEqual(release.split('.').map(Number));
    expect((await admin.command({ hello: 1 })).maxWireVersion).toBe(wire);
  });

  if (release === '7.0') {
    it('refuses sort on updateOne and replaceOne as an unknown field, writing nothing', async () => {
      const unknown = { code: 40415, message: "BSON field 'update.updates.sort' is an unknown field." };
      await expect(
        c.updateOne({ _id: { $gt: 1 } }, { $inc: { x: 1 } }, { sort: { _id: -1 } }),
      ).rejects.toMatchObject(unknown);
      await expect(c.replaceOne({ _id: { $gt: 1 } }, { x: 0 }, { sort: { _id: -1 } })).rejects.toMatchObject(
        unknown,
      );
      expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, x: 11 },
        { _id: 2, x: 22 },
        { _id: 3, x: 33 },
      ]);
    });
  } else {
    it('updates and replaces the first matching document in sort order', async () => {
      const r = await c.updateOne({ _id: { $gt: 1 } }, { $inc: { x: 1 } }, { sort: { _id: -1 } });
      expect(r).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      await c.replaceOne({ _id: { $gt: 1 } }, { x: 1 }, { sort: { x: 1 } });
      expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, x: 11 },
        { _id: 2, x: 1 },
        { _id: 3, x: 34 },
      ]);
    });

    it('refuses sort with multi=true (FailedToParse, write_ops_exec.cpp)', async () => {
      const err = (await client
        .db('sort')
        .command({ update: 'c', updates: [{ q: {}, u: { $set: { y: 1 } }, multi: true, sort: { _id: 1 } }] })
        .catch((e: unknown) => e)) as MongoServerError;
      expect(err).toMatchObject({ code: 9, message: 'Cannot specify sort with multi=true' });
      expect(await c.countDocuments({ y: 1 })).toBe(0);
    });
  }
});
