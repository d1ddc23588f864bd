import type { Collection, Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, drivers, startWithClient } from './helpers.js';

/** `Type(value)` of a value read with promoteValues: false (Int32, Double, Long, Decimal128 stay wrapped). */
function typed(v: unknown): string {
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  return t ? `${t}(${String(v)})` : `${v === null ? 'null' : typeof v}(${String(v)})`;
}

/** Every field of every document as `Type(value)`. */
function typedDocs(docs: Document[]): Record<string, string>[] {
  return docs.map((d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typed(v)])));
}

// $type, aggregation stages after the first, $expr and projection expressions on int/long/double/decimal.
describe.each(drivers)('numeric types in queries and aggregation (%s)', (_name, Client, m) => {
  const { Long, Decimal128, Double, Int32 } = m;
  const L = (s: string) => Long.fromString(s);
  const D = (s: string) => Decimal128.fromString(s);
  let client: MongoClient;
  let close: () => Promise<void>;
  let c: Collection<AnyDoc>;
  const raw = { promoteValues: false } as const;

  beforeAll(async () => {
    ({ client, close } = await startWithClient({}, Client));
    c = client.db('types').collection<AnyDoc>('t');
    await c.insertMany([
      { _id: 1, v: new Int32(5), g: 'a' },
      { _id: 2, v: L('5'), g: 'a' },
      { _id: 3, v: new Double(5), g: 'a' },
      { _id: 4, v: D('5'), g: 'a' },
      { _id: 5, v: 5.5, g: 'b' },
      { _id: 6, v: L('9007199254740993'), g: 'b' },
      { _id: 7, v: [L('1'), 'x'], g: 'c' },
      { _id: 8, v: 'five', g: 'c' },
    ]);
  });
  afterAll(async () => close());

  const ids = async (filter: Document): Promise<unknown[]> =>
    (await c.find(filter, { sort: { _id: 1 } }).toArray()).map((d) => d._id);

  it('$type tells int, long, double and decimal apart; "number" matches all four', async () => {
    expect(await ids({ v: { $type: 'int' } })).toEqual([1]);
    expect(await ids({ v: { $type: 'long' } })).toEqual([2, 6, 7]);
    expect(await ids({ v: { $type: 'double' } })).toEqual([3, 5]);
    expect(await ids({ v: { $type: 'decimal' } })).toEqual([4]);
    expect(await ids({ v: { $type: 'number' } })).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await ids({ v: { $type: [16, 19] } })).toEqual([1, 4]);
    expect(await ids({ v: { $type: 'array' } })).toEqual([7]);
    expect(await ids({ v: { $type: ['string'] }, _id: { $gt: 6 } })).toEqual([7, 8]);
    // The same inside aggregation, after a stage that made new documents.
    const out = await c
      .aggregate([{ $project: { w: '$v' } }, { $match: { w: { $type: 'long' } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(out.map((d) => d._id)).toEqual([2, 6, 7]);
    await expect(c.find({ v: { $type: 'integer' } }).toArray()).rejects.toMatchObject({ code: 2 });
    // Bitwise tests read any integral number as 64 bits.
    expect(await ids({ v: { $bitsAllSet: [0, 2] } })).toEqual([1, 2, 3, 4]);
    expect(await ids({ v: { $bitsAllSet: [0, 53] } })).toEqual([6]);
    // $jsonSchema's bsonType and bounds see the same types and exact values.
    expect(await ids({ $jsonSchema: { required: ['v'], properties: { v: { bsonType: 'long' } } } })).toEqual([
      2, 6,
    ]);
    expect(
      await ids({
        $jsonSchema: { properties: { v: { bsonType: 'number', minimum: L('9007199254740993') } } },
      }),
    ).toEqual([6]);
  });

  it('$type as an expression and $isNumber report mongod’s names', async () => {
    const out = await c.aggregate([{ $project: { t: { $type: '$v' }, n: { $isNumber: '$v' } } }]).toArray();
    expect(out.map((d) => `${d.t}:${d.n}`)).toEqual([
      'int:true',
      'long:true',
      'double:true',
      'decimal:true',
      'double:true',
      'long:true',
      'array:false',
      'string:false',
    ]);
  });

  it('stages keep stored number types when they pass values through', async () => {
    const out = await c
      .aggregate([{ $match: { _id: { $lte: 6 } } }, { $project: { v: 1 } }, { $sort: { _id: 1 } }], raw)
      .toArray();
    expect(out.map((d) => typed(d.v))).toEqual([
      'Int32(5)',
      'Long(5)',
      'Double(5)',
      'Decimal128(5)',
      'Double(5.5)',
      'Long(9007199254740993)',
    ]);
  });

  it('$group: equal numbers of any type are one group; $sum of Longs is an exact Long', async () => {
    const g = client.db('types').collection<AnyDoc>('sums');
    await g.insertMany([
      { _id: 1, k: 5, l: L('9007199254740993'), i: 2147483647, d: D('0.1'), x: 1 },
      { _id: 2, k: L('5'), l: L('1'), i: 1, d: D('0.2'), x: 0.5 },
      { _id: 3, k: new Double(5), l: L('2'), i: 1, d: D('0.30'), x: 1 },
      { _id: 4, k: D('5.0'), l: L('9223372036854775000'), i: 0, d: 0.1, x: 2 },
    ]);
    const out = await g
      .aggregate(
        [
          { $match: { _id: { $lte: 3 } } },
          {
            $group: {
              _id: '$k',
              l: { $sum: '$l' },
              i: { $sum: '$i' },
              d: { $sum: '$d' },
              x: { $sum: '$x' },
              n: { $sum: 1 },
              avg: { $avg: '$l' },
              max: { $max: '$l' },
              set: { $addToSet: '$k' },
            },
          },
        ],
        raw,
      )
      .toArray();
    expect(out).toHaveLength(1);
    expect(typedDocs([{ ...out[0], set: out[0]!.set.length }])).toEqual([
      {
        _id: 'Int32(5)',
        l: 'Long(9007199254740996)',
        i: 'Long(2147483649)',
        d: 'Decimal128(0.60)',
        x: 'Double(2.5)',
        n: 'Int32(3)',
        avg: 'Double(3002399751580332)',
        max: 'Long(9007199254740993)',
        set: 'number(1)',
      },
    ]);
    // Long overflow continues as a double; a double meeting decimals becomes decimal.
    const all = await g
      .aggregate([{ $group: { _id: null, l: { $sum: '$l' }, d: { $sum: '$d' }, dd: { $avg: '$d' } } }], raw)
      .toArray();
    expect(typed(all[0]!.l)).toBe('Double(9232379236109517000)');
    expect(typed(all[0]!.d)).toBe('Decimal128(0.7000000000000000055511151231257827)');
    expect(typed(all[0]!.dd)).toBe('Decimal128(0.1750000000000000013877787807814457)');
  });

  it('$match, $sort and $expr after the first stage compare Long and Decimal128 exactly', async () => {
    const e = client.db('types').collection<AnyDoc>('exact');
    await e.insertMany([
      { _id: 1, a: L('9007199254740993'), b: L('9007199254740992') },
      { _id: 2, a: L('9007199254740992'), b: 9007199254740992 },
      { _id: 3, a: D('0.1'), b: 0.1 },
      { _id: 4, a: D('0.10'), b: D('0.1') },
      { _id: 5, a: L('9223372036854775807'), b: L('9223372036854775806') },
    ]);
    const run = async (stages: Document[]) =>
      (await e.aggregate([{ $project: { a: 1, b: 1 } }, ...stages]).toArray()).map((d) => d._id);
    expect(await run([{ $match: { a: L('9007199254740993') } }])).toEqual([1]);
    expect(await run([{ $match: { a: { $gt: L('9007199254740992') } } }, { $sort: { _id: 1 } }])).toEqual([
      1, 5,
    ]);
    expect(await run([{ $match: { $expr: { $eq: ['$a', '$b'] } } }, { $sort: { _id: 1 } }])).toEqual([2, 4]);
    expect(await run([{ $match: { $expr: { $gt: ['$a', '$b'] } } }, { $sort: { _id: 1 } }])).toEqual([1, 5]);
    expect(await run([{ $match: { $expr: { $lt: ['$a', '$b'] } } }])).toEqual([3]);
    expect(await run([{ $sort: { a: -1 } }])).toEqual([5, 1, 2, 3, 4]); // 0.1 and 0.10 tie: input order
    // find with $expr (no aggregation) is exact as well.
    expect(
      (await e.find({ $expr: { $ne: ['$a', '$b'] } }, { sort: { _id: 1 } }).toArray()).map((d) => d._id),
    ).toEqual([1, 3, 5]);
  });

  it('arithmetic expressions keep mongod’s result types and Long/Decimal128 exactness', async () => {
    const a = client.db('types').collection<AnyDoc>('arith');
    await a.insertOne({
      _id: 1,
      big: L('9007199254740993'),
      max: L('9223372036854775807'),
      i: 2147483647,
      dec: D('1.50'),
      dbl: 0.1,
    });
    const [r] = await a
      .aggregate(
        [
          { $match: { _id: 1 } },
          {
            $project: {
              _id: 0,
              add: { $add: ['$big', 1] },
              addInt: { $add: ['$i', 1] },
              addOverflow: { $add: ['$max', 1] },
              addDec: { $add: ['$dec', 1] },
              addDecDbl: { $add: ['$dec', '$dbl'] },
              sub: { $subtract: ['$big', L('9007199254740992')] },
              mul: { $multiply: ['$i', 2] },
              mulDec: { $multiply: ['$dec', D('2.0')] },
              div: { $divide: ['$big', 1] },
              divDec: { $divide: [D('1'), D('3')] },
              mod: { $mod: ['$big', 10] },
              abs: { $abs: { $subtract: [0, '$big'] } },
              round: { $round: ['$dec', 0] },
              trunc: { $trunc: [D('2.789'), 2] },
              pow: { $pow: [2, 62] },
              toLong: { $toLong: '$dec' },
              toDec: { $toDecimal: '$big' },
              toStr: { $toString: '$big' },
              cmp: { $cmp: ['$big', { $add: [L('9007199254740992'), 1] }] },
              sumArr: { $sum: ['$big', '$big'] },
              bit: { $bitAnd: ['$max', L('255')] },
            },
          },
        ],
        raw,
      )
      .toArray();
    expect(typedDocs([r!])[0]).toEqual({
      add: 'Long(9007199254740994)',
      addInt: 'Long(2147483648)',
      addOverflow: 'Double(9223372036854776000)', // 2^63 as JS prints it
      addDec: 'Decimal128(2.50)',
      addDecDbl: 'Decimal128(1.600000000000000)',
      sub: 'Long(1)',
      mul: 'Long(4294967294)',
      mulDec: 'Decimal128(3.000)',
      div: 'Double(9007199254740992)',
      divDec: 'Decimal128(0.3333333333333333333333333333333333)',
      mod: 'Long(3)',
      abs: 'Long(9007199254740993)',
      round: 'Decimal128(2)',
      trunc: 'Decimal128(2.78)',
      pow: 'Long(4611686018427387904)',
      toLong: 'Long(1)', // conversions truncate
      toDec: 'Decimal128(9007199254740993)',
      toStr: 'string(9007199254740993)',
      cmp: 'Int32(0)',
      sumArr: 'Long(18014398509481986)',
      bit: 'Long(255)',
    });
  });

  it('find projections with expressions compute with typed values', async () => {
    const doc = await c.findOne(
      { _id: 6 },
      { projection: { _id: 0, next: { $add: ['$v', 1] }, t: { $type: '$v' } }, ...raw },
    );
    expect(typedDocs([doc!])).toEqual([{ next: 'Long(9007199254740994)', t: 'string(long)' }]);
  });

  it('pipeline updates store mongod’s types', async () => {
    const p = client.db('types').collection<AnyDoc>('pipe');
    await p.insertOne({ _id: 1, n: L('9007199254740993'), q: 2, price: 2.5 });
    await p.updateOne({ _id: 1 }, [
      {
        $set: {
          n: { $add: ['$n', 1] },
          total: { $multiply: ['$q', '$price'] },
          q2: { $multiply: ['$q', 2] },
        },
      },
    ]);
    const doc = await p.findOne({ _id: 1 }, raw);
    expect(typedDocs([doc!])).toEqual([
      {
        _id: 'Int32(1)',
        n: 'Long(9007199254740994)',
        q: 'Int32(2)',
        price: 'Double(2.5)',
        total: 'Double(5)',
        q2: 'Int32(4)',
      },
    ]);
  });

  it('$lookup, $bucket and $sortByCount match numbers by value across types', async () => {
    const db = client.db('types');
    await db.collection<AnyDoc>('orders').insertMany([
      { _id: 1, product: L('7') },
      { _id: 2, product: 8 },
    ]);
    await db.collection<AnyDoc>('products').insertMany([
      { _id: 'p7', code: 7 },
      { _id: 'p8', code: D('8.0') },
    ]);
    const joined = await db
      .collection('orders')
      .aggregate([
        { $sort: { _id: 1 } },
        { $lookup: { from: 'products', localField: 'product', foreignField: 'code', as: 'p' } },
      ])
      .toArray();
    expect(joined.map((d) => d.p.map((x: Document) => x._id))).toEqual([['p7'], ['p8']]);
    const viaPipeline = await db
      .collection('orders')
      .aggregate([
        { $sort: { _id: 1 } },
        {
          $lookup: {
            from: 'products',
            let: { pr: '$product' },
            pipeline: [{ $match: { $expr: { $eq: ['$code', '$$pr'] } } }],
            as: 'p',
          },
        },
      ])
      .toArray();
    expect(viaPipeline.map((d) => d.p.map((x: Document) => x._id))).toEqual([['p7'], ['p8']]);
    const buckets = await c
      .aggregate([
        { $match: { _id: { $lte: 6 } } },
        { $bucket: { groupBy: '$v', boundaries: [0, L('5'), D('5.5'), L('9007199254740994')] } },
      ])
      .toArray();
    expect(buckets.map((b) => `${b._id}:${b.count}`)).toEqual(['5:4', '5.5:2']);
    const counts = await c.aggregate([{ $match: { _id: { $lte: 4 } } }, { $sortByCount: '$v' }]).toArray();
    expect(counts.map((d) => d.count)).toEqual([4]);
  });

  it('runs window, bucketAuto and redact stages with the typed accumulators', async () => {
    const w = client.db('types').collection<AnyDoc>('window');
    await w.insertMany([
      { _id: 1, g: 'a', q: 1 },
      { _id: 2, g: 'a', q: L('9007199254740993') },
      { _id: 3, g: 'b', q: 2.5 },
      { _id: 4, g: 'b', q: null },
    ]);
    const win = await w
      .aggregate(
        [
          {
            $setWindowFields: {
              partitionBy: '$g',
              sortBy: { _id: 1 },
              output: { run: { $sum: '$q', window: { documents: ['unbounded', 'current'] } } },
            },
          },
          { $sort: { _id: 1 } },
        ],
        raw,
      )
      .toArray();
    expect(win.map((d) => typed(d.run))).toEqual([
      'Int32(1)',
      'Long(9007199254740994)',
      'Double(2.5)',
      'Double(2.5)',
    ]);
    const auto = await w
      .aggregate([{ $match: { _id: { $ne: 2 } } }, { $bucketAuto: { groupBy: '$q', buckets: 2 } }])
      .toArray();
    expect(auto.map((b) => b.count)).toEqual([2, 1]);
    const kept = await w
      .aggregate([{ $redact: { $cond: [{ $eq: ['$g', 'a'] }, '$$KEEP', '$$PRUNE'] } }])
      .toArray();
    expect(kept.map((d) => d._id)).toEqual([1, 2]);
  });

  it('refuses, rather than answers wrongly, what it cannot compute exactly', async () => {
    await expect(c.aggregate([{ $project: { r: { $sqrt: D('2') } } }]).toArray()).rejects.toMatchObject({
      code: 115,
    });
    await expect(
      c
        .aggregate([
          { $match: { _id: { $in: [2, 6] } } },
          {
            $setWindowFields: {
              sortBy: { v: 1 },
              output: { s: { $sum: 1, window: { documents: ['unbounded', 'current'] } } },
            },
          },
        ])
        .toArray(),
    ).rejects.toMatchObject({ code: 115 });
    await expect(
      c.aggregate([{ $match: { _id: 6 } }, { $project: { e: { $arrayElemAt: [[1, 2], '$v'] } } }]).toArray(),
    ).rejects.toMatchObject({ code: 115 });
  });
});
