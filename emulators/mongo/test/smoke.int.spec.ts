import { Decimal128, Double, Int32, Long, MongoClient, type ObjectId } from 'mongodb';
import { MongoClient as MongoClient6 } from 'mongodb6';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMongoServer, startMongoServer } from '../src/index.js';
import type { AnyDoc } from './helpers.js';

let server: RunningMongoServer;

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
});
afterAll(async () => {
  await server?.stop();
});

const drivers = [
  ['mongodb@7', MongoClient],
  ['mongodb@6', MongoClient6 as unknown as typeof MongoClient],
] as const;

describe.each(drivers)('smoke with %s', (label, Client) => {
  for (const mode of ['replicaSet', 'directConnection'] as const) {
    it(`connects with ${mode} and does CRUD`, async () => {
      const uri =
        mode === 'replicaSet' ? server.uri : `mongodb://127.0.0.1:${server.port}/?directConnection=true`;
      const client = new Client(uri, { serverSelectionTimeoutMS: 5000 });
      await client.connect();
      try {
        const coll = client.db('smoke').collection(`c_${label.replace(/\W/g, '')}_${mode}`);
        const ins = await coll.insertOne({ a: 1 });
        expect((ins.insertedId as ObjectId)._bsontype).toBe('ObjectId');
        const found = await coll.findOne({ _id: ins.insertedId });
        expect(found?.a).toBe(1);
        const upd = await coll.updateOne({ a: 1 }, { $inc: { a: 1 }, $set: { b: 'x' } });
        expect(upd.modifiedCount).toBe(1);
        expect(await coll.countDocuments({ a: 2 })).toBe(1);
        const del = await coll.deleteOne({ a: 2 });
        expect(del.deletedCount).toBe(1);
      } finally {
        await client.close();
      }
    });
  }
});

describe('smoke details', () => {
  let client: MongoClient;
  beforeAll(async () => {
    client = new MongoClient(server.uri);
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
  });

  it('round-trips BSON numeric types exactly', async () => {
    const coll = client.db('smoke').collection<AnyDoc>('types');
    await coll.insertOne({
      _id: 1,
      i: new Int32(5),
      d: new Double(5),
      f: 1.5,
      l: Long.fromNumber(2 ** 40),
      dec: Decimal128.fromString('1.10'),
    });
    const raw = await coll.findOne({ _id: 1 }, { promoteValues: false, promoteLongs: false });
    expect(raw?.i).toBeInstanceOf(Int32);
    expect(raw?.d).toBeInstanceOf(Double);
    expect(raw?.l).toBeInstanceOf(Long);
    expect(String(raw?.l)).toBe(String(2 ** 40));
    expect(raw?.dec).toBeInstanceOf(Decimal128);
    expect(String(raw?.dec)).toBe('1.10');
    expect(await coll.countDocuments({ l: { $gt: 2 ** 39 } })).toBe(1);
    expect(await coll.countDocuments({ d: 5 })).toBe(1);
  });

  it('delivers change events with updateLookup', async () => {
    const coll = client.db('smoke').collection<AnyDoc>('stream');
    const cs = coll.watch([], { fullDocument: 'updateLookup' });
    const next = cs.next();
    await new Promise((r) => setTimeout(r, 100));
    await coll.insertOne({ _id: 'x', v: 1 });
    const ev = await next;
    expect(ev.operationType).toBe('insert');
    await coll.updateOne({ _id: 'x' }, { $set: { v: 2 } });
    const ev2 = await cs.next();
    expect(ev2.operationType).toBe('update');
    if (ev2.operationType === 'update') {
      expect(ev2.updateDescription.updatedFields).toEqual({ v: 2 });
      expect(ev2.fullDocument).toEqual({ _id: 'x', v: 2 });
    }
    await cs.close();
  });
});
