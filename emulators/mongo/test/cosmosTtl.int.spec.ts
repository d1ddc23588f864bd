import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Collection, Decimal128, Double, Long, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoServer } from '../src/index.js';
import { type AnyDoc, eventually, sleep, startWithClient } from './helpers.js';

const ids = async (c: Collection<AnyDoc>) =>
  (await c.find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).sort();

describe('--cosmos: TTL as Cosmos DB (RU), by last write time and `ttl`', () => {
  let ctx: Awaited<ReturnType<typeof startWithClient>>;
  beforeAll(async () => {
    ctx = await startWithClient({ cosmos: true });
  });
  afterAll(async () => ctx.close());

  it('refuses a TTL index on a field other than _ts with BadValue (2), as the RU API does, and accepts one on _ts with -1', async () => {
    const c = ctx.client.db('ttl').collection<AnyDoc>('refused');
    await expect(c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 })).rejects.toMatchObject({
      code: 2,
      message: "The 'expireAfterSeconds' option is supported on '_ts' field only.",
    });
    await c.createIndex({ _ts: 1 }, { expireAfterSeconds: -1 });
    await c.createIndex({ expiresAt: 1 }); // a plain index on the field is fine
    const indexes = await c.listIndexes().toArray();
    expect(indexes.find((i) => i.key._ts === 1)).toMatchObject({ expireAfterSeconds: -1 });
  });

  it('given the _ts index at -1, when documents carry ttl values, then only those with a valid positive ttl expire, and none shows a write time', async () => {
    const c = ctx.client.db('ttl').collection<AnyDoc>('perDocument');
    await c.createIndex({ _ts: 1 }, { expireAfterSeconds: -1 });
    await c.insertMany([
      { _id: 'int', ttl: 1 },
      { _id: 'long', ttl: Long.fromNumber(1) },
      { _id: 'wholeDouble', ttl: new Double(1) },
      { _id: 'none', expiresAt: new Date(Date.now() - 60_000) },
      { _id: 'never', ttl: -1 },
      { _id: 'zero', ttl: 0 },
      { _id: 'fraction', ttl: 1.5 },
      { _id: 'decimal', ttl: Decimal128.fromString('1') },
      { _id: 'string', ttl: '1' },
      { _id: 'beyondInt32', ttl: 2 ** 31 },
    ]);
    await eventually(async () => (await c.countDocuments()) === 7);
    expect(await ids(c)).toEqual(['beyondInt32', 'decimal', 'fraction', 'never', 'none', 'string', 'zero']);
    expect(await c.findOne({ _id: 'never' })).toEqual({ _id: 'never', ttl: -1 });
  });

  it('given the _ts index with a default, then documents without ttl expire by it and a ttl overrides it', async () => {
    const c = ctx.client.db('ttl').collection<AnyDoc>('collectionDefault');
    await c.createIndex({ _ts: 1 }, { expireAfterSeconds: 1 });
    await c.insertMany([{ _id: 'byDefault' }, { _id: 'never', ttl: -1 }, { _id: 'hour', ttl: 3600 }]);
    await eventually(async () => (await c.countDocuments()) === 2);
    expect(await ids(c)).toEqual(['hour', 'never']);
  });

  it('given two documents with ttl 4, when one is written again 3 s later (ttl unchanged), then the other expires first: ttl counts from the last write', async () => {
    const c = ctx.client.db('ttl').collection<AnyDoc>('lastWrite');
    await c.createIndex({ _ts: 1 }, { expireAfterSeconds: -1 });
    await c.insertMany([
      { _id: 'written', ttl: 4 },
      { _id: 'untouched', ttl: 4 },
    ]);
    await sleep(3_000);
    await c.updateOne({ _id: 'written' }, { $set: { seen: true } });
    await eventually(async () => (await c.countDocuments({ _id: 'untouched' })) === 0);
    expect(await ids(c)).toEqual(['written']);
    await eventually(async () => (await c.countDocuments()) === 0);
  });

  it('without --cosmos, a TTL index on a field expires by the field as in mongod, and ttl means nothing', async () => {
    const plain = await startWithClient();
    try {
      const c = plain.client.db('ttl').collection<AnyDoc>('mongo');
      await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      await c.insertMany([
        { _id: 'expired', expiresAt: new Date(Date.now() - 1000) },
        { _id: 'ttlOnly', ttl: 1 },
      ]);
      await eventually(async () => (await c.countDocuments()) === 1);
      await sleep(1_500);
      expect(await ids(c)).toEqual(['ttlOnly']);
    } finally {
      await plain.close();
    }
  });
});

describe('--cosmos: the last write time survives a restart', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-emu-ts-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('given a document written 2.5 s before a restart with ttl 4, and one written after it with ttl 2, then the first expires no later than the second', async () => {
    let server = await startMongoServer({ port: 0, dbPath: dir, cosmos: true });
    let client = new MongoClient(server.uri);
    await client.db('ttl').collection<AnyDoc>('restart').createIndex({ _ts: 1 }, { expireAfterSeconds: -1 });
    await client.db('ttl').collection<AnyDoc>('restart').insertOne({ _id: 'before', ttl: 4 });
    await sleep(2_500);
    await client.close();
    await server.stop();

    // Were the write time lost (the load time standing in), `before` would outlive `after` by 2 s.
    server = await startMongoServer({ port: 0, dbPath: dir, cosmos: true });
    client = new MongoClient(server.uri);
    const c = client.db('ttl').collection<AnyDoc>('restart');
    await c.insertOne({ _id: 'after', ttl: 2 });
    await eventually(async () => (await c.countDocuments({ _id: 'after' })) === 0);
    expect(await c.countDocuments({ _id: 'before' })).toBe(0);
    await client.close();
    await server.stop();
  });
});
