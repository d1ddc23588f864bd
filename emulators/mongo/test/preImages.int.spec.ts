import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChangeStreamDocument, Db, Document, Long, MongoClient, Timestamp } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoServer } from '../src/index.js';
import { type AnyDoc, drivers, startWithClient } from './helpers.js';

type Ev = ChangeStreamDocument<AnyDoc>;
const ON = { changeStreamPreAndPostImages: { enabled: true } };

async function preImageOption(db: Db, name: string): Promise<unknown> {
  const [info] = await db.listCollections({ name }).toArray();
  return (info as { options?: Document } | undefined)?.options?.changeStreamPreAndPostImages;
}

/** mongod's wording for a missing required image (DocumentSourceChangeStreamAddPre/PostImage). */
const missing = (kind: 'pre' | 'post', op: string, db: string, coll: string): RegExp =>
  new RegExp(
    `^Change stream was configured to require a ${kind}-image for all ${kind === 'pre' ? 'update, delete and replace' : 'update'} events, but the ${kind}-image was not found for event: \\{operationType: "${op}", ns: \\{db: "${db}", coll: "${coll}"\\}, clusterTime: Timestamp\\(\\d+, \\d+\\)\\}$`,
  );

describe.each(drivers)('changeStreamPreAndPostImages with %s', (_label, Client) => {
  let client: MongoClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await startWithClient({}, Client));
  });
  afterAll(async () => close());

  it('is set by create and collMod, listed only while enabled, and removed with enabled: false', async () => {
    const db = client.db('pi_opts');
    await db.createCollection('on', ON);
    expect(await preImageOption(db, 'on')).toEqual({ enabled: true });
    await db.createCollection('off', { changeStreamPreAndPostImages: { enabled: false } });
    expect(await preImageOption(db, 'off')).toBeUndefined();
    await db.command({ collMod: 'off', ...ON });
    expect(await preImageOption(db, 'off')).toEqual({ enabled: true });
    // Other options leave it alone.
    await db.command({ collMod: 'off', validationLevel: 'off' });
    expect(await preImageOption(db, 'off')).toEqual({ enabled: true });
    await db.command({ collMod: 'off', changeStreamPreAndPostImages: { enabled: false } });
    expect(await preImageOption(db, 'off')).toBeUndefined();
    const [info] = await db.listCollections({ name: 'off' }).toArray();
    expect((info as { options: Document }).options).toEqual({ validationLevel: 'off' });
  });

  it('validates the option like mongod’s IDL parser, and refuses it on internal databases', async () => {
    const db = client.db('pi_bad');
    await db.createCollection('c');
    const cases: [unknown, number, string][] = [
      [
        true,
        14,
        "BSON field '%.changeStreamPreAndPostImages' is the wrong type 'bool', expected type 'object'",
      ],
      [
        { enabled: 1 },
        14,
        "BSON field '%.changeStreamPreAndPostImages.enabled' is the wrong type 'int', expected type 'bool'",
      ],
      [
        { enabled: 'yes' },
        14,
        "BSON field '%.changeStreamPreAndPostImages.enabled' is the wrong type 'string', expected type 'bool'",
      ],
      [{}, 40414, "BSON field '%.changeStreamPreAndPostImages.enabled' is missing but a required field"],
      [
        { enabled: true, expireAfterSeconds: 10 },
        40415,
        "BSON field '%.changeStreamPreAndPostImages.expireAfterSeconds' is an unknown field.",
      ],
    ];
    for (const [value, code, message] of cases) {
      for (const command of ['create', 'collMod'] as const) {
        const name = command === 'create' ? 'fresh' : 'c';
        const err = await db
          .command({ [command]: name, changeStreamPreAndPostImages: value })
          .catch((e: Error & { code?: number }) => e);
        expect(err).toMatchObject({ code, message: message.replace('%', command) });
      }
    }
    // Nothing was created or changed by the failed commands.
    expect(await db.listCollections({ name: 'fresh' }).toArray()).toEqual([]);
    expect(await preImageOption(db, 'c')).toBeUndefined();
    // The shape is checked before the namespace.
    await expect(db.command({ collMod: 'nope', changeStreamPreAndPostImages: {} })).rejects.toMatchObject({
      code: 40414,
    });
    await expect(db.command({ collMod: 'nope', ...ON })).rejects.toMatchObject({ code: 26 });
    for (const internal of ['admin', 'config', 'local']) {
      const idb = client.db(internal);
      await expect(idb.command({ create: 'pi', ...ON })).rejects.toMatchObject({
        code: 72,
        codeName: 'InvalidOptions',
        message: `changeStreamPreAndPostImages collection option is not supported on the ${internal} database`,
      });
    }
  });

  it('without the option: whenAvailable images are null, inserts unchanged', async () => {
    const c = client.db('pi_none').collection<AnyDoc>('c');
    await c.insertOne({ _id: 1, v: 0 });
    const cs = c.watch<AnyDoc, Ev>([], {
      fullDocument: 'whenAvailable',
      fullDocumentBeforeChange: 'whenAvailable',
    });
    await cs.tryNext();
    await c.insertOne({ _id: 2, v: 0 });
    await c.updateOne({ _id: 1 }, { $set: { v: 1 } });
    await c.replaceOne({ _id: 1 }, { v: 2 });
    await c.deleteOne({ _id: 1 });
    const [ins, upd, rep, del] = [await cs.next(), await cs.next(), await cs.next(), await cs.next()];
    expect(ins).toMatchObject({ operationType: 'insert', fullDocument: { _id: 2, v: 0 } });
    expect(ins).not.toHaveProperty('fullDocumentBeforeChange');
    expect(upd).toMatchObject({
      operationType: 'update',
      fullDocument: null,
      fullDocumentBeforeChange: null,
    });
    expect(rep).toMatchObject({ operationType: 'replace', fullDocument: { _id: 1, v: 2 } });
    expect(rep).toHaveProperty('fullDocumentBeforeChange', null);
    expect(del).toMatchObject({ operationType: 'delete', fullDocumentBeforeChange: null });
    await cs.close();

    // `off` (the default) still has no field at all.
    const plain = c.watch<AnyDoc, Ev>([], { startAfter: ins._id });
    const next = await plain.next();
    expect(next.operationType).toBe('update');
    expect(next).not.toHaveProperty('fullDocumentBeforeChange');
    expect(next).not.toHaveProperty('fullDocument');
    await plain.close();
  });

  it('images follow the option as it was at the time of each write', async () => {
    const db = client.db('pi_time');
    const c = db.collection<AnyDoc>('c');
    await c.insertOne({ _id: 1, v: 0 });
    const { operationTime } = await db.command({ ping: 1 });
    await c.updateOne({ _id: 1 }, { $set: { v: 1 } }); // before: none kept
    await db.command({ collMod: 'c', ...ON });
    await c.updateOne({ _id: 1 }, { $set: { v: 2 } }); // kept
    await c.replaceOne({ _id: 1 }, { v: 3 }); // kept
    await db.command({ collMod: 'c', changeStreamPreAndPostImages: { enabled: false } });
    await c.updateOne({ _id: 1 }, { $set: { v: 4 } }); // not kept
    await db.command({ collMod: 'c', ...ON });
    await c.deleteOne({ _id: 1 }); // kept
    // startAtOperationTime is inclusive: skip the insert that the ping's operationTime points at.
    const cs = c.watch<AnyDoc, Ev>([{ $match: { operationType: { $ne: 'insert' } } }], {
      startAtOperationTime: operationTime as Timestamp,
      fullDocument: 'whenAvailable',
      fullDocumentBeforeChange: 'whenAvailable',
    });
    const images: [string, unknown, unknown][] = [];
    for (let i = 0; i < 5; i++) {
      const e = (await cs.next()) as Document;
      images.push([e.operationType, e.fullDocument ?? null, e.fullDocumentBeforeChange]);
    }
    await cs.close();
    expect(images).toEqual([
      ['update', null, null],
      ['update', { _id: 1, v: 2 }, { _id: 1, v: 1 }],
      ['replace', { _id: 1, v: 3 }, { _id: 1, v: 2 }],
      ['update', null, null],
      ['delete', null, { _id: 1, v: 4 }],
    ]);
  });

  it('required fails the stream with NoMatchingDocument (47) and kills the cursor', async () => {
    const db = client.db('pi_req');
    const c = db.collection<AnyDoc>('c');
    await c.insertOne({ _id: 1, v: 0 });
    const open = async (spec: Document): Promise<Long> => {
      const reply = await db.command({ aggregate: 'c', pipeline: [{ $changeStream: spec }], cursor: {} });
      return reply.cursor.id as Long;
    };
    const pre = await open({ fullDocumentBeforeChange: 'required' });
    const post = await open({ fullDocument: 'required' });
    const both = await open({ fullDocument: 'required', fullDocumentBeforeChange: 'required' });
    await c.insertOne({ _id: 2 }); // inserts need no image
    await c.updateOne({ _id: 1 }, { $set: { v: 1 } });
    const getMore = (id: Long) => db.command({ getMore: id, collection: 'c', maxTimeMS: 200 });
    await expect(getMore(pre)).rejects.toMatchObject({
      code: 47,
      codeName: 'NoMatchingDocument',
      message: expect.stringMatching(missing('pre', 'update', 'pi_req', 'c')),
    });
    await expect(getMore(pre)).rejects.toMatchObject({ code: 43 });
    await expect(getMore(post)).rejects.toMatchObject({
      code: 47,
      message: expect.stringMatching(missing('post', 'update', 'pi_req', 'c')),
    });
    // The pre-image is looked up first.
    await expect(getMore(both)).rejects.toMatchObject({
      message: expect.stringMatching(missing('pre', 'update', 'pi_req', 'c')),
    });

    // Through the driver: the error reaches the application and the stream closes.
    const cs = c.watch<AnyDoc, Ev>([], { fullDocumentBeforeChange: 'required' });
    await cs.tryNext();
    await c.deleteOne({ _id: 2 });
    await expect(cs.next()).rejects.toMatchObject({ code: 47 });
    expect(cs.closed).toBe(true);

    // With the option, required works.
    await db.command({ collMod: 'c', ...ON });
    const ok = c.watch<AnyDoc, Ev>([], { fullDocument: 'required', fullDocumentBeforeChange: 'required' });
    await ok.tryNext();
    await c.updateOne({ _id: 1 }, { $set: { v: 2 } });
    expect(await ok.next()).toMatchObject({
      fullDocument: { _id: 1, v: 2 },
      fullDocumentBeforeChange: { _id: 1, v: 1 },
    });
    await ok.close();
  });

  it('a database stream with required pre-images works when a leading $match drops the other collections', async () => {
    // mongod moves such a $match ahead of its pre-image lookup (change_stream_pre_image_lookup_whole_db_whole_cluster.js).
    const db = client.db('pi_dbstream');
    await db.createCollection('with', ON);
    await db.createCollection('without');
    const { operationTime } = await db.command({ ping: 1 });
    for (const name of ['without', 'with']) {
      const c = db.collection<AnyDoc>(name);
      await c.insertOne({ _id: 0 });
      await c.replaceOne({ _id: 0 }, { foo: 'bar' });
      await c.updateOne({ _id: 0 }, { $set: { foo: 'baz' } });
      await c.deleteOne({ _id: 0 });
    }
    const at = operationTime as Timestamp;
    const filtered = db.watch<AnyDoc, Ev>([{ $match: { 'ns.coll': 'with' } }], {
      startAtOperationTime: at,
      fullDocumentBeforeChange: 'required',
    });
    const seen: [string, unknown][] = [];
    for (let i = 0; i < 4; i++) {
      const e = (await filtered.next()) as Document;
      seen.push([e.operationType, e.fullDocumentBeforeChange]);
    }
    await filtered.close();
    expect(seen).toEqual([
      ['insert', undefined],
      ['replace', { _id: 0 }],
      ['update', { _id: 0, foo: 'bar' }],
      ['delete', { _id: 0, foo: 'baz' }],
    ]);
    // Unfiltered, or filtered on the image itself, the first image-less event fails the stream (here the
    // first batch already reaches it, as it would on mongod).
    for (const pipeline of [[], [{ $match: { 'fullDocumentBeforeChange.foo': { $ne: 1 } } }]]) {
      const all = db.watch<AnyDoc, Ev>(pipeline, {
        startAtOperationTime: at,
        fullDocumentBeforeChange: 'required',
      });
      await expect(all.next()).rejects.toMatchObject({
        code: 47,
        message: expect.stringMatching(missing('pre', 'replace', 'pi_dbstream', 'without')),
      });
    }
  });

  it('keeps pre-images of transactional writes and TTL deletes of collections with the option', async () => {
    const db = client.db('pi_txn');
    await db.createCollection('c', ON);
    const c = db.collection<AnyDoc>('c');
    await c.insertMany([
      { _id: 1, v: 0 },
      { _id: 2, v: 0 },
    ]);
    const cs = c.watch<AnyDoc, Ev>([], { fullDocumentBeforeChange: 'required' });
    await cs.tryNext();
    const session = client.startSession();
    await session.withTransaction(async () => {
      await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session });
      await c.deleteOne({ _id: 2 }, { session });
    });
    await session.endSession();
    expect(await cs.next()).toMatchObject({
      operationType: 'update',
      fullDocumentBeforeChange: { _id: 1, v: 0 },
    });
    expect(await cs.next()).toMatchObject({
      operationType: 'delete',
      fullDocumentBeforeChange: { _id: 2, v: 0 },
    });
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 0 });
    await c.insertOne({ _id: 3, at: new Date(0) });
    expect(await cs.next()).toMatchObject({ operationType: 'insert' });
    expect(await cs.next()).toMatchObject({ operationType: 'delete', fullDocumentBeforeChange: { _id: 3 } });
    await cs.close();
  });

  it('transactions still read their snapshot of collections that keep no pre-images', async () => {
    const c = client.db('pi_snap').collection<AnyDoc>('c');
    await c.insertMany([
      { _id: 1, v: 0 },
      { _id: 2, v: 0 },
    ]);
    const session = client.startSession();
    session.startTransaction();
    expect(await c.countDocuments({}, { session })).toBe(2);
    await c.updateOne({ _id: 1 }, { $set: { v: 1 } });
    await c.deleteOne({ _id: 2 });
    await c.insertOne({ _id: 3, v: 0 });
    expect(await c.find({}, { session }).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, v: 0 },
      { _id: 2, v: 0 },
    ]);
    await session.abortTransaction();
    await session.endSession();
  });
});

describe('changeStreamPreAndPostImages persistence', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-emu-pi-'));
    dirs.push(d);
    return d;
  };

  it('survives a restart (snapshot) and a journal replay, with the images recorded at write time', async () => {
    const dir = tmp();
    let server = await startMongoServer({ port: 0, dbPath: dir });
    let client = new drivers[0][1](server.uri);
    let db = client.db('pp');
    await db.createCollection('a', ON);
    await db.createCollection('b');
    await db.collection<AnyDoc>('a').insertOne({ _id: 1, v: 0 });
    await db.collection<AnyDoc>('b').insertOne({ _id: 1, v: 0 });
    const { operationTime } = await db.command({ ping: 1 });
    await db.collection<AnyDoc>('a').updateOne({ _id: 1 }, { $set: { v: 1 } });
    await db.collection<AnyDoc>('b').updateOne({ _id: 1 }, { $set: { v: 1 } });
    await client.close();
    await server.stop(); // writes a snapshot

    server = await startMongoServer({ port: 0, dbPath: dir });
    client = new drivers[0][1](server.uri);
    db = client.db('pp');
    expect(await preImageOption(db, 'a')).toEqual({ enabled: true });
    expect(await preImageOption(db, 'b')).toBeUndefined();
    // Journaled only (no snapshot yet): enable on b, disable on a, one more update each.
    await db.command({ collMod: 'b', ...ON });
    await db.command({ collMod: 'a', changeStreamPreAndPostImages: { enabled: false } });
    await db.collection<AnyDoc>('a').updateOne({ _id: 1 }, { $set: { v: 2 } });
    await db.collection<AnyDoc>('b').updateOne({ _id: 1 }, { $set: { v: 2 } });
    // A copy of the directory as it is now (acknowledged = fsynced) is what a crash would leave.
    const copy = tmp();
    fs.cpSync(dir, copy, { recursive: true });
    await client.close();
    await server.stop();

    server = await startMongoServer({ port: 0, dbPath: copy });
    client = new drivers[0][1](server.uri);
    db = client.db('pp');
    try {
      expect(await preImageOption(db, 'a')).toBeUndefined();
      expect(await preImageOption(db, 'b')).toEqual({ enabled: true });
      const cs = db.watch<AnyDoc, Ev>([{ $match: { operationType: 'update' } }], {
        startAtOperationTime: operationTime as Timestamp,
        fullDocumentBeforeChange: 'whenAvailable',
      });
      const seen: [unknown, unknown][] = [];
      for (let i = 0; i < 4; i++) {
        const e = (await cs.next()) as Document;
        seen.push([e.ns.coll, e.fullDocumentBeforeChange]);
      }
      await cs.close();
      expect(seen).toEqual([
        ['a', { _id: 1, v: 0 }],
        ['b', null],
        ['a', null],
        ['b', { _id: 1, v: 1 }],
      ]);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
