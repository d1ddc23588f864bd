import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMongoServer } from '../src/index.js';
import { type AnyDoc, drivers, startWithClient } from './helpers.js';

// Exact numeric comparison across double / int32 / Long / Decimal128 (mongod compares by mathematical value).
describe.each(drivers)('exact numbers (%s)', (_name, Client, m) => {
  const { Long, Decimal128, Int32, Double } = m;
  let server: RunningMongoServer;
  let client: MongoClient;
  let close: () => Promise<void>;
  const L = (s: string) => Long.fromString(s);
  const D = (s: string) => Decimal128.fromString(s);

  const docs: AnyDoc[] = [
    { _id: 1, v: L('9007199254740992') },
    { _id: 2, v: L('9007199254740993') },
    { _id: 3, v: 9007199254740992 }, // double
    { _id: 4, v: D('0.1') },
    { _id: 5, v: 0.1 }, // double 0.1000000000000000055511151231257827...
    { _id: 6, v: D('9007199254740993') },
    { _id: 7, v: D('0.10') },
    { _id: 8, v: new Int32(5) },
    { _id: 9, v: D('5.0') },
    { _id: 10, v: L('-9223372036854775808') },
    { _id: 11, v: L('9223372036854775807') },
    { _id: 12, v: D('NaN') },
    { _id: 13, v: Number.NaN },
    { _id: 14, v: D('Infinity') },
    { _id: 15, v: Number.POSITIVE_INFINITY },
    { _id: 16, v: [L('9007199254740993'), 'x'] },
    { _id: 17, v: D('9223372036854775807') },
    { _id: 18, v: L('9223372036854775806') },
    { _id: 19, v: new Double(5) },
  ];

  beforeAll(async () => {
    ({ server, client, close } = await startWithClient({}, Client));
    await client.db('n').collection<AnyDoc>('c').insertMany(docs);
  });
  afterAll(async () => {
    await close();
    void server;
  });

  const ids = async (filter: object, coll = 'c'): Promise<unknown[]> =>
    (
      await client
        .db('n')
        .collection<AnyDoc>(coll)
        .find(filter, { sort: { _id: 1 } })
        .toArray()
    ).map((d) => d._id);

  it('$eq / implicit equality is exact for Long beyond 2^53 and Decimal128', async () => {
    expect(await ids({ v: L('9007199254740993') })).toEqual([2, 6, 16]);
    expect(await ids({ v: L('9007199254740992') })).toEqual([1, 3]);
    expect(await ids({ v: 9007199254740992 })).toEqual([1, 3]);
    expect(await ids({ v: { $eq: D('9007199254740993') } })).toEqual([2, 6, 16]);
    expect(await ids({ v: D('0.1') })).toEqual([4, 7]);
    expect(await ids({ v: 0.1 })).toEqual([5]);
    expect(await ids({ v: 5 })).toEqual([8, 9, 19]);
    expect(await ids({ v: D('5') })).toEqual([8, 9, 19]);
    expect(await ids({ v: L('9223372036854775807') })).toEqual([11, 17]);
    expect(await ids({ v: Number.NaN })).toEqual([12, 13]);
    expect(await ids({ v: D('Infinity') })).toEqual([14, 15]);
  });

  it('$ne, $in and $nin are exact', async () => {
    expect(await ids({ v: { $in: [L('9007199254740993'), D('0.1')] } })).toEqual([2, 4, 6, 7, 16]);
    expect(await ids({ v: { $in: [9007199254740992, 0.1] } })).toEqual([1, 3, 5]);
    expect(await ids({ v: { $nin: [L('9007199254740993'), D('0.1')] }, _id: { $lte: 8 } })).toEqual([
      1, 3, 5, 8,
    ]);
    expect(await ids({ v: { $ne: L('9007199254740992') }, _id: { $lte: 6 } })).toEqual([2, 4, 5, 6]);
  });

  it('$gt/$gte/$lt/$lte compare by value across types; NaN only matches NaN via $gte/$lte', async () => {
    expect(await ids({ v: { $gt: L('9007199254740992') } })).toEqual([2, 6, 11, 14, 15, 16, 17, 18]);
    expect(await ids({ v: { $gte: L('9007199254740993'), $lt: L('9223372036854775807') } })).toEqual([
      2, 6, 16, 18,
    ]);
    // Decimal128 0.1 < double 0.1 (the double is slightly above one tenth).
    expect(await ids({ v: { $lt: 0.1 } })).toEqual([4, 7, 10]);
    expect(await ids({ v: { $lte: D('0.1') } })).toEqual([4, 7, 10]);
    expect(await ids({ v: { $gt: D('0.1'), $lt: 1 } })).toEqual([5]);
    expect(await ids({ v: { $gte: 5, $lte: D('5.00') } })).toEqual([8, 9, 19]);
    expect(await ids({ v: { $lt: 9007199254740992 }, _id: { $gte: 12, $lte: 13 } })).toEqual([]);
    expect(await ids({ v: { $gte: Number.NaN } })).toEqual([12, 13]);
    expect(await ids({ v: { $gt: Number.NaN } })).toEqual([]);
  });

  it('sorts in exact numeric order (NaN first)', async () => {
    const sorted = await client
      .db('n')
      .collection<AnyDoc>('c')
      .find({ _id: { $ne: 16 } }, { sort: { v: 1, _id: 1 } })
      .toArray();
    expect(sorted.map((d) => d._id)).toEqual([12, 13, 10, 4, 7, 5, 8, 9, 19, 1, 3, 2, 6, 18, 11, 17, 14, 15]);
    const desc = await client
      .db('n')
      .collection<AnyDoc>('c')
      .find({ _id: { $in: [1, 2, 3, 6, 18, 11] } }, { sort: { v: -1, _id: 1 } })
      .toArray();
    expect(desc.map((d) => d._id)).toEqual([11, 18, 2, 6, 1, 3]);
  });

  it('unique and regular indexes hash Long/Decimal128 keys exactly', async () => {
    const c = client.db('n').collection<AnyDoc>('u');
    await c.createIndex({ k: 1 }, { unique: true });
    await c.createIndex({ r: 1 });
    await c.insertMany([
      { _id: 1, k: L('9007199254740992'), r: D('0.1') },
      { _id: 2, k: L('9007199254740993'), r: 0.1 },
      { _id: 3, k: D('0.1'), r: L('9007199254740993') },
      { _id: 4, k: 0.1, r: D('9007199254740993.0') },
    ]);
    // Values equal by value collide, whatever their types.
    await expect(c.insertOne({ _id: 5, k: 9007199254740992 })).rejects.toMatchObject({ code: 11000 });
    await expect(c.insertOne({ _id: 6, k: D('9007199254740993') })).rejects.toMatchObject({ code: 11000 });
    await expect(c.insertOne({ _id: 7, k: D('0.100') })).rejects.toMatchObject({ code: 11000 });
    await c.insertOne({ _id: 8, k: D('0.1000000000000000055511151231257827') }); // not the double 0.1 exactly
    expect(await ids({ k: L('9007199254740993') }, 'u')).toEqual([2]);
    expect(await ids({ k: { $in: [9007199254740992, D('0.1')] } }, 'u')).toEqual([1, 3]);
    expect(await ids({ r: D('0.1') }, 'u')).toEqual([1]);
    expect(await ids({ r: L('9007199254740993') }, 'u')).toEqual([3, 4]);
    const plan = await c.find({ k: L('9007199254740993') }).explain();
    expect(JSON.stringify(plan.queryPlanner.winningPlan)).toContain('IXSCAN');
    // _id values that differ beyond 2^53 are different documents.
    const ids2 = client.db('n').collection<AnyDoc>('ids');
    await ids2.insertMany([{ _id: L('9007199254740992') }, { _id: L('9007199254740993') }] as never);
    await expect(ids2.insertOne({ _id: 9007199254740992 })).rejects.toMatchObject({ code: 11000 });
    expect(await ids2.countDocuments({ _id: L('9007199254740993') })).toBe(1);
    expect(await ids2.countDocuments()).toBe(2);
  });

  it('keeps plain-number semantics and stored types', async () => {
    const c = client.db('n').collection<AnyDoc>('c');
    const raw = await c.findOne({ _id: 2 }, { promoteLongs: false });
    expect(String(raw?.v)).toBe('9007199254740993');
    // Values no double equals keep their wrapper in the matcher: $type still sees their BSON type.
    expect(await ids({ v: { $type: 'long' }, _id: { $in: [2, 4, 11, 16] } })).toEqual([2, 11, 16]);
    expect(await ids({ v: { $type: 'decimal' }, _id: { $in: [2, 4, 6] } })).toEqual([4, 6]);
    expect(await ids({ v: { $type: 'number' }, _id: { $in: [2, 4, 6, 11] } })).toEqual([2, 4, 6, 11]);
    expect(await c.countDocuments({ v: { $exists: true } })).toBe(docs.length);
  });
});
