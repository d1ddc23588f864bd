import type { Collection, Db, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AnyDoc, startWithClient } from './helpers.js';

// Smaller mongod behaviours the dev server follows, one describe each. Expected behaviour is cited per case.
describe('mongod fidelity', () => {
  let client: MongoClient;
  let close: () => Promise<void>;
  let db: Db;
  beforeAll(async () => {
    ({ client, close } = await startWithClient());
    db = client.db('fidelity');
  });
  afterAll(async () => {
    await close();
  });

  describe('pipeline-style updates and _id', () => {
    let c: Collection<AnyDoc>;
    beforeEach(async () => {
      c = db.collection<AnyDoc>('pipelineId');
      await c.deleteMany({});
      await c.insertOne({ _id: 1, x: 1 });
    });

    // Manual, "Updates with Aggregation Pipeline": _id may be set to its current value; changing it is
    // ImmutableField (66) as for any update.
    it('accepts setting _id to its current value', async () => {
      const r = await c.updateOne({ _id: 1 }, [{ $set: { _id: 1, y: 2 } }]);
      expect(r).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
      await c.updateOne({ _id: 1 }, [{ $replaceWith: { _id: '$_id', z: 3 } }]);
      expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, z: 3 });
    });

    it('keeps _id when the pipeline drops it', async () => {
      await c.updateOne({ _id: 1 }, [{ $replaceWith: { w: 4 } }]);
      expect(await c.findOne({ w: 4 })).toEqual({ _id: 1, w: 4 });
    });

    it('refuses changing _id with ImmutableField (66), leaving the document alone', async () => {
      await expect(c.updateOne({ _id: 1 }, [{ $set: { _id: 2 } }])).rejects.toMatchObject({
        code: 66,
        codeName: 'ImmutableField',
        message: "Performing an update on the path '_id' would modify the immutable field '_id'",
      });
      expect(await c.find().toArray()).toEqual([{ _id: 1, x: 1 }]);
    });
  });

  // specifications source/crud/tests/unified/create-null-ids.yml: `_id: null` is a value like any other.
  // (The node driver replaces a null _id with an ObjectId in insertOne, so the insert goes as a command.)
  describe('documents with _id: null', () => {
    let c: Collection<AnyDoc>;
    beforeEach(async () => {
      c = db.collection<AnyDoc>('nullIds');
      await c.deleteMany({});
    });

    it('stores, finds, updates and deletes it, unique on _id', async () => {
      await db.command({ insert: 'nullIds', documents: [{ _id: null, a: 1 }] });
      expect(await c.countDocuments({ _id: { $type: 'null' } } as never)).toBe(1);
      expect(await c.findOne({ _id: null } as never)).toEqual({ _id: null, a: 1 });
      const dup = await db.command({ insert: 'nullIds', documents: [{ _id: null, a: 2 }] });
      expect(dup.writeErrors[0]).toMatchObject({ code: 11000, keyValue: { _id: null } });
      await c.updateOne({ _id: null } as never, { $set: { a: 3 } });
      expect(await c.find({ _id: null } as never).toArray()).toEqual([{ _id: null, a: 3 }]);
      expect((await c.deleteOne({ _id: null } as never)).deletedCount).toBe(1);
      expect(await c.countDocuments()).toBe(0);
    });

    it('is upserted from the filter and from a replacement', async () => {
      await c.updateOne({ _id: null } as never, { $unset: { a: '' } }, { upsert: true });
      expect(await c.countDocuments({ _id: { $type: 'null' } } as never)).toBe(1);
      await c.deleteMany({});
      await c.replaceOne({}, { _id: null } as never, { upsert: true });
      expect(await c.find().toArray()).toEqual([{ _id: null }]);
    });
  });

  // specifications source/crud/tests/unified/aggregate-out-readConcern.yml ("readConcern linearizable with
  // out stage": an error); code and message: mongod's document_source_out.h / document_source_merge.h.
  describe('linearizable read concern with $out / $merge', () => {
    it('refuses both with InvalidOptions (72), writing nothing', async () => {
      const c = db.collection<AnyDoc>('linSource', { readConcern: { level: 'linearizable' } });
      await db.collection<AnyDoc>('linSource').insertOne({ _id: 1 });
      for (const [stage, name] of [
        [{ $out: 'linOut' }, '$out'],
        [{ $merge: { into: 'linOut' } }, '$merge'],
      ] as const) {
        const err = (await c
          .aggregate([stage])
          .toArray()
          .catch((e: unknown) => e)) as MongoServerError;
        expect(err).toMatchObject({
          code: 72,
          codeName: 'InvalidOptions',
          message: `${name} cannot be used with a 'linearizable' read concern level`,
        });
      }
      expect(await db.listCollections({ name: 'linOut' }).toArray()).toEqual([]);
      // A linearizable read without a write stage still runs.
      expect(await c.aggregate([{ $match: {} }]).toArray()).toEqual([{ _id: 1 }]);
    });
  });

  // Manual, "$listLocalSessions": {aggregate: 1} on a database, first stage; without authentication every
  // session belongs to the same user, so {} and {allUsers: true} list them all, as {_id: {id, uid}, lastUse}.
  describe('$listLocalSessions', () => {
    it('lists the sessions commands used, until they end', async () => {
      const session = client.startSession();
      await db.collection('sessions').findOne({}, { session });
      const id = session.id?.id;
      expect(id).toBeDefined();
      const admin = client.db('admin');
      const mine = (await admin.aggregate([{ $listLocalSessions: {} }]).toArray()).filter((d) =>
        Buffer.from(d._id.id.buffer).equals(Buffer.from(id?.buffer ?? [])),
      );
      expect(mine).toHaveLength(1);
      expect(mine[0]!.lastUse).toBeInstanceOf(Date);
      expect(mine[0]!._id.uid.buffer.length).toBe(32);
      const matched = await db
        .aggregate([{ $listLocalSessions: { allUsers: true } }, { $match: { '_id.id': id } }])
        .toArray();
      expect(matched).toHaveLength(1);
      expect(
        await admin.aggregate([{ $listLocalSessions: { users: [{ user: 'u', db: 'admin' }] } }]).toArray(),
      ).toEqual([]);
      await admin.command({ endSessions: [{ id }] });
      expect(
        await db.aggregate([{ $listLocalSessions: {} }, { $match: { '_id.id': id } }]).toArray(),
      ).toEqual([]);
      await session.endSession();
    });

    it('refuses it on a collection (InvalidNamespace) and after the first stage (40602)', async () => {
      await expect(
        db
          .collection('sessions')
          .aggregate([{ $listLocalSessions: {} }])
          .toArray(),
      ).rejects.toMatchObject({
        code: 73,
      });
      await expect(
        db.aggregate([{ $documents: [] }, { $listLocalSessions: {} }]).toArray(),
      ).rejects.toMatchObject({
        code: 40602,
      });
    });
  });
});
