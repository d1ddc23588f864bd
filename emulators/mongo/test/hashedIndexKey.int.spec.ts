import type { Db, Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithClient } from './helpers.js';

describe('$toHashedIndexKey', () => {
  let client: MongoClient;
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client, close } = await startWithClient());
    db = client.db('hashing');
  });
  afterAll(async () => close());

  // Hashes beyond 2^53 come back as Long objects: compare their decimal text.
  const hashOf = async (value: unknown): Promise<string> => {
    const [out] = await db
      .aggregate([{ $documents: [{ v: value }] }, { $project: { _id: 0, h: { $toHashedIndexKey: '$v' } } }])
      .toArray();
    return String(out?.h);
  };

  it("gives mongod's hash (its documented example)", async () => {
    // https://www.mongodb.com/docs/manual/reference/operator/aggregation/toHashedIndexKey/
    const [out] = await db
      .aggregate(
        [
          { $documents: [{ val: 'string to hash' }] },
          { $addFields: { hashedVal: { $toHashedIndexKey: '$val' } } },
        ],
        { promoteLongs: false },
      )
      .toArray();
    expect(out?.hashedVal?._bsontype).toBe('Long');
    expect(String(out?.hashedVal)).toBe('763543691661428748');
  });

  it('hashes numbers as 64-bit integers and missing as null, like a hashed index', async () => {
    const bson = await import('bson');
    const three = await hashOf(3);
    expect(await hashOf(new bson.Long(3))).toBe(three);
    expect(await hashOf(3.0)).toBe(three);
    expect(await hashOf(3.9)).toBe(three); // truncated toward zero
    expect(await hashOf(4)).not.toBe(three);
    const [missing] = await db
      .aggregate([{ $documents: [{}] }, { $project: { _id: 0, h: { $toHashedIndexKey: '$absent' } } }])
      .toArray();
    expect(String(missing?.h)).toBe(await hashOf(null));
    expect(await hashOf('3')).not.toBe(three);
  });

  it('hashes an ObjectId key by its hex text through $toString, as clients bucket it', async () => {
    const { ObjectId } = await import('bson');
    const id = new ObjectId();
    const [out] = await db
      .aggregate([{ $documents: [{ id }] }, { $project: { _id: 0, text: { $toString: '$id' } } }])
      .toArray();
    expect(out?.text).toBe(id.toHexString());
    expect(await hashOf({ $toString: id } as never)).toBe(await hashOf(id.toHexString()));
  });

  it('refuses documents and arrays (not implemented) with a clear error', async () => {
    await expect(hashOf({ a: 1 })).rejects.toMatchObject({ code: 115 });
  });

  it('splits a change stream: each event reaches exactly one of the streams filtering by hash', async () => {
    const c = db.collection('split');
    const byHash = (remainders: number[]): Document[] => [
      {
        $match: {
          $expr: { $in: [{ $mod: [{ $toHashedIndexKey: '$fullDocument.key' }, 3] }, remainders] },
        },
      },
    ];
    // $mod keeps the dividend's sign: remainder r and r - 3 are the same bucket.
    const streams = [[0], [1, -2], [2, -1]].map((r) => c.watch(byHash(r)));
    await Promise.all(streams.map((s) => s.tryNext()));
    const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`);
    await c.insertMany(keys.map((key) => ({ key })));
    const seen = await Promise.all(
      streams.map(async (s) => {
        const got: string[] = [];
        for (;;) {
          const e = await s.tryNext();
          if (!e) break;
          got.push((e as Document).fullDocument.key);
        }
        return got;
      }),
    );
    expect(seen.flat().sort()).toEqual([...keys].sort());
    for (const part of seen) expect(part.length).toBeGreaterThan(5);
    await Promise.all(streams.map((s) => s.close()));
  });
});
