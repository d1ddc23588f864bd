import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type ChangeStreamDocument,
  type Document,
  MongoClient,
  type ResumeToken,
  type Timestamp,
} from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoServer } from '../src/index.js';
import { type AnyDoc, drivers, eventually, sleep, startWithClient, upd } from './helpers.js';

type Ev = ChangeStreamDocument<AnyDoc>;

describe.each(drivers)('change streams with %s', (_label, Client) => {
  let client: MongoClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await startWithClient({}, Client));
  });
  afterAll(async () => close());

  it('emits insert/update/replace/delete shaped like mongod and resumes after a stored token', async () => {
    const c = client.db('cs').collection<AnyDoc>('shape');
    const cs = c.watch<AnyDoc, Ev>();
    await cs.tryNext(); // opens the cursor now
    await c.insertOne({ _id: 1, a: 1, arr: [1, 2] });
    await c.updateOne({ _id: 1 }, upd({ $set: { 'n.x': 1 }, $unset: { a: '' }, $push: { arr: 3 } }));
    await c.replaceOne({ _id: 1 }, { b: 2 });
    await c.deleteOne({ _id: 1 });
    const ins = await cs.next();
    expect(ins).toMatchObject({
      operationType: 'insert',
      ns: { db: 'cs', coll: 'shape' },
      documentKey: { _id: 1 },
      fullDocument: { _id: 1, a: 1, arr: [1, 2] },
    });
    expect(typeof (ins._id as { _data: string })._data).toBe('string');
    expect((ins as { clusterTime: Timestamp }).clusterTime._bsontype).toBe('Timestamp');
    expect((ins as { wallTime: Date }).wallTime).toBeInstanceOf(Date);
    const updEv = await cs.next();
    expect(updEv).toMatchObject({
      operationType: 'update',
      updateDescription: {
        updatedFields: { n: { x: 1 }, 'arr.2': 3 },
        removedFields: ['a'],
        truncatedArrays: [],
      },
    });
    expect(updEv).not.toHaveProperty('fullDocument');
    const rep = await cs.next();
    expect(rep).toMatchObject({ operationType: 'replace', fullDocument: { _id: 1, b: 2 } });
    const token = cs.resumeToken;
    const del = await cs.next();
    expect(del).toMatchObject({ operationType: 'delete', documentKey: { _id: 1 } });
    await cs.close();

    const resumed = c.watch<AnyDoc, Ev>([], { resumeAfter: token as ResumeToken });
    const again = await resumed.next();
    expect(again.operationType).toBe('delete');
    await resumed.close();
  });

  it('supports startAtOperationTime, updateLookup, whenAvailable, pre-images and a user pipeline', async () => {
    // Pre- and whenAvailable post-images are kept for collections with the option (as in mongod).
    const c = await client
      .db('cs')
      .createCollection<AnyDoc>('opts', { changeStreamPreAndPostImages: { enabled: true } });
    await c.insertOne({ _id: 'seed', v: 0 });
    const hello = await client.db('admin').command({ hello: 1 });
    const at = hello.operationTime as Timestamp;
    await c.insertOne({ _id: 1, v: 1 });
    await c.updateOne({ _id: 1 }, { $set: { v: 2 } });
    await c.updateOne({ _id: 1 }, { $set: { v: 3 } });
    const fromTime = c.watch<AnyDoc, Ev>([], { startAtOperationTime: at, fullDocument: 'updateLookup' });
    // startAtOperationTime is inclusive: the seed insert happened at exactly `at`.
    expect(await fromTime.next()).toMatchObject({ operationType: 'insert', documentKey: { _id: 'seed' } });
    const e1 = await fromTime.next();
    expect(e1).toMatchObject({ operationType: 'insert', documentKey: { _id: 1 } });
    const e2 = await fromTime.next();
    expect(e2).toMatchObject({ operationType: 'update', fullDocument: { _id: 1, v: 3 } }); // current version
    await fromTime.close();

    const withImages = c.watch<AnyDoc, Ev>([{ $match: { operationType: 'update' } }], {
      startAtOperationTime: at,
      fullDocument: 'whenAvailable',
      fullDocumentBeforeChange: 'whenAvailable',
    });
    const u1 = await withImages.next();
    expect(u1).toMatchObject({ fullDocument: { _id: 1, v: 2 }, fullDocumentBeforeChange: { _id: 1, v: 1 } });
    await withImages.close();

    const projected = c.watch(
      [
        { $match: { 'fullDocument.v': { $gte: 1 } } },
        { $project: { operationType: 1, 'fullDocument.v': 1 } },
      ],
      {
        startAtOperationTime: at,
      },
    );
    const p1 = await projected.next();
    expect(p1).toMatchObject({ operationType: 'insert', fullDocument: { v: 1 } });
    expect(Object.keys(p1).sort()).toEqual(['_id', 'fullDocument', 'operationType']);
    await projected.close();
  });

  it('watches a database and the whole cluster, and invalidates on drop', async () => {
    const db = client.db('csdb');
    const dbStream = db.watch<AnyDoc, Ev>();
    const clusterStream = client.watch<AnyDoc, Ev>();
    const collStream = db.collection('x').watch<AnyDoc, Ev>();
    await Promise.all([dbStream.tryNext(), clusterStream.tryNext(), collStream.tryNext()]);
    await db.collection<AnyDoc>('x').insertOne({ _id: 1 });
    await db.collection<AnyDoc>('y').insertOne({ _id: 2 });
    await db.collection('x').drop();
    expect(((await dbStream.next()) as { ns: unknown }).ns).toEqual({ db: 'csdb', coll: 'x' });
    expect(((await dbStream.next()) as { ns: unknown }).ns).toEqual({ db: 'csdb', coll: 'y' });
    expect((await dbStream.next()).operationType).toBe('drop');
    expect((await clusterStream.next()).operationType).toBe('insert');
    expect((await clusterStream.next()).operationType).toBe('insert');
    expect((await collStream.next()).operationType).toBe('insert');
    expect((await collStream.next()).operationType).toBe('drop');
    const inv = await collStream.next();
    expect(inv.operationType).toBe('invalidate');
    await sleep(10);
    expect(collStream.closed).toBe(true);
    // startAfter an invalidate token opens a new stream on the (re-created) collection.
    const after = db.collection('x').watch<AnyDoc, Ev>([], { startAfter: inv._id as ResumeToken });
    await db.collection<AnyDoc>('x').insertOne({ _id: 'new' });
    expect(((await after.next()) as { documentKey: unknown }).documentKey).toEqual({ _id: 'new' });
    await Promise.all([after.close(), dbStream.close(), clusterStream.close()]);
  });

  it('rejects pipelines that modify the resume token and invalidates database streams on dropDatabase', async () => {
    const db = client.db('csdrop');
    const bad = db.collection<AnyDoc>('c').watch([{ $project: { _id: 0 } }]);
    await bad.tryNext();
    await db.collection<AnyDoc>('c').insertOne({ _id: 1 });
    await expect(bad.next()).rejects.toMatchObject({ code: 280 });
    await bad.close();
    await db.command({ collMod: 'c', changeStreamPreAndPostImages: { enabled: true } });
    const stream = db.watch<AnyDoc, Ev>([], {
      fullDocument: 'required',
      fullDocumentBeforeChange: 'required',
    });
    await stream.tryNext();
    await db.collection<AnyDoc>('c').updateOne({ _id: 1 }, { $set: { v: 1 } });
    expect(await stream.next()).toMatchObject({
      operationType: 'update',
      fullDocument: { _id: 1, v: 1 },
      fullDocumentBeforeChange: { _id: 1 },
    });
    await db.dropDatabase();
    expect((await stream.next()).operationType).toBe('drop');
    expect((await stream.next()).operationType).toBe('dropDatabase');
    expect((await stream.next()).operationType).toBe('invalidate');
    await stream.close();
  });

  it('shows DDL events and collectionUUID only with showExpandedEvents', async () => {
    const db = client.db('csddl');
    const plain = db.watch<AnyDoc, Ev>();
    const expanded = db.watch<AnyDoc, Ev>([], { showExpandedEvents: true });
    await Promise.all([plain.tryNext(), expanded.tryNext()]);
    await db.createCollection('made');
    await db.collection('made').createIndex({ a: 1 });
    await db.collection<AnyDoc>('made').insertOne({ _id: 1 });
    expect((await plain.next()).operationType).toBe('insert');
    const kinds = [await expanded.next(), await expanded.next(), await expanded.next()];
    expect(kinds.map((e) => e.operationType)).toEqual(['create', 'createIndexes', 'insert']);
    expect(kinds[2]).toHaveProperty('collectionUUID');
    await Promise.all([plain.close(), expanded.close()]);
  });

  it('blocks getMore until an event arrives and advances postBatchResumeToken on empty batches', async () => {
    const c = client.db('cs').collection<AnyDoc>('await');
    const db = client.db('cs');
    const opened = await db.command({ aggregate: 'await', pipeline: [{ $changeStream: {} }], cursor: {} });
    const id = opened.cursor.id;
    const t0 = opened.cursor.postBatchResumeToken._data as string;
    await client.db('cs').collection('other').insertOne({ unrelated: true });
    const empty = await db.command({ getMore: id, collection: 'await', maxTimeMS: 200 });
    expect(empty.cursor.nextBatch).toEqual([]);
    expect(empty.cursor.postBatchResumeToken._data > t0).toBe(true);
    const pending = db.command({ getMore: id, collection: 'await', maxTimeMS: 10_000 });
    await sleep(100);
    await c.insertOne({ _id: 'wake' });
    const got = await pending;
    expect(got.cursor.nextBatch[0].documentKey).toEqual({ _id: 'wake' });
    expect(got.cursor.postBatchResumeToken).toEqual(got.cursor.nextBatch[0]._id);
    await db.command({ killCursors: 'await', cursors: [id] });
  });
});

describe('change stream resumption and history', () => {
  it('answers ChangeStreamHistoryLost (286) for a token older than the retained log', async () => {
    const { client, close } = await startWithClient({ oplogMaxEntries: 10 });
    try {
      const c = client.db('h').collection<AnyDoc>('c');
      const cs = c.watch<AnyDoc, Ev>();
      await cs.tryNext();
      await c.insertOne({ _id: 0 });
      const first = await cs.next();
      await cs.close();
      for (let i = 1; i <= 50; i++) await c.insertOne({ _id: i });
      const stale = c.watch<AnyDoc, Ev>([], { resumeAfter: first._id as ResumeToken });
      await expect(stale.next()).rejects.toMatchObject({ code: 286, codeName: 'ChangeStreamHistoryLost' });
      await stale.close();
    } finally {
      await close();
    }
  });

  it('resumes automatically after the connection drops and after a server restart on the same dbPath', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-emu-cs-'));
    let server = await startMongoServer({ port: 0, dbPath: dir });
    const port = server.port;
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 15_000 });
    try {
      const c = client.db('r').collection<AnyDoc>('c');
      const cs = c.watch<AnyDoc, Ev>();
      const seen: unknown[] = [];
      cs.on('change', (e) => seen.push((e as { documentKey: { _id: unknown } }).documentKey._id));
      cs.on('error', () => {});
      await sleep(200);
      await c.insertOne({ _id: 1 });
      await eventually(() => seen.length === 1);
      await server.stop(); // cuts every connection
      server = await startMongoServer({ port, dbPath: dir });
      await c.insertOne({ _id: 2 });
      await eventually(() => seen.length === 2, 20_000);
      await c.insertOne({ _id: 3 });
      await eventually(() => seen.length === 3);
      expect(seen).toEqual([1, 2, 3]);
      await cs.close();
    } finally {
      await client.close();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects resume tokens from another (wiped) data directory with a clear error', async () => {
    const dirA = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-emu-a-'));
    let server = await startMongoServer({ port: 0, dbPath: dirA });
    let client = new MongoClient(server.uri);
    let token: Document;
    try {
      const c = client.db('w').collection<AnyDoc>('c');
      const cs = c.watch<AnyDoc, Ev>();
      await cs.tryNext();
      await c.insertOne({ _id: 1 });
      token = (await cs.next())._id as Document;
      await cs.close();
    } finally {
      await client.close();
      await server.stop();
    }
    fs.rmSync(dirA, { recursive: true, force: true });
    server = await startMongoServer({ port: 0, dbPath: dirA });
    client = new MongoClient(server.uri);
    try {
      const c = client.db('w').collection<AnyDoc>('c');
      await c.insertOne({ _id: 1 });
      const cs = c.watch<AnyDoc, Ev>([], { resumeAfter: token });
      const err = await cs.next().catch((e: Error & { code?: number }) => e);
      expect(err).toMatchObject({ code: 280 });
      expect((err as Error).message).toMatch(/different mongo-emulator data directory/);
      await cs.close();
    } finally {
      await client.close();
      await server.stop();
      fs.rmSync(dirA, { recursive: true, force: true });
    }
  });
});
