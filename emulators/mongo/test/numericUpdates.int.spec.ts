import type { Collection, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, drivers, startWithClient, upd } from './helpers.js';

/** `Type(value)` of a value read with promoteValues: false (Int32, Double, Long, Decimal128 stay wrapped). */
function typed(v: unknown): string {
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  return t ? `${t}(${String(v)})` : `${typeof v}(${String(v)})`;
}

// $inc / $mul with mongod's SafeNum semantics: exact Long and Decimal128 arithmetic and result types.
describe.each(drivers)('numeric updates (%s)', (_name, Client, m) => {
  const { Long, Decimal128, Double, Int32 } = m;
  const L = (s: string) => Long.fromString(s);
  const D = (s: string) => Decimal128.fromString(s);
  let client: MongoClient;
  let close: () => Promise<void>;
  let c: Collection<AnyDoc>;

  beforeAll(async () => {
    ({ client, close } = await startWithClient({}, Client));
    c = client.db('upd').collection<AnyDoc>('n');
  });
  afterAll(async () => close());

  /** Sets {_id, v} and applies `update`; returns v as `Type(value)`. */
  const apply = async (id: number, v: unknown, update: object): Promise<string> => {
    await c.replaceOne({ _id: id }, v === undefined ? {} : { v }, { upsert: true });
    await c.updateOne({ _id: id }, upd(update));
    const doc = await c.findOne({ _id: id }, { promoteValues: false });
    return typed(doc?.v);
  };

  it('adds and multiplies Longs beyond 2^53 exactly and keeps them Long', async () => {
    expect(await apply(1, L('9007199254740993'), { $inc: { v: 1 } })).toBe('Long(9007199254740994)');
    expect(await apply(2, L('9007199254740993'), { $inc: { v: L('-9007199254740992') } })).toBe('Long(1)');
    expect(await apply(3, L('4611686018427387903'), { $mul: { v: 2 } })).toBe('Long(9223372036854775806)');
    expect(await apply(4, 3, { $mul: { v: L('3074457345618258602') } })).toBe('Long(9223372036854775806)');
    expect(await apply(5, L('-9223372036854775807'), { $inc: { v: -1 } })).toBe('Long(-9223372036854775808)');
    // What a client reading with useBigInt64 (or promoteLongs: false) sees: the exact int64.
    expect((await c.findOne({ _id: 1 }, { useBigInt64: true }))?.v).toBe(9007199254740994n);
  });

  it('widens int32 overflow to Long and keeps int32 otherwise', async () => {
    expect(await apply(10, 2147483647, { $inc: { v: 1 } })).toBe('Long(2147483648)');
    expect(await apply(11, -2147483648, { $inc: { v: -1 } })).toBe('Long(-2147483649)');
    expect(await apply(12, 65536, { $mul: { v: 65536 } })).toBe('Long(4294967296)');
    expect(await apply(13, 2147483646, { $inc: { v: 1 } })).toBe('Int32(2147483647)');
    expect(await apply(14, 7, { $mul: { v: -3 } })).toBe('Int32(-21)');
  });

  it('answers mongod’s BadValue when Long arithmetic overflows, and leaves the document alone', async () => {
    await c.insertOne({ _id: 20, v: L('9223372036854775807') });
    const err = await c.updateOne({ _id: 20 }, { $inc: { v: 1 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 2,
      message:
        'Failed to apply $inc operations to current value ((NumberLong)9223372036854775807) for document {_id: 20}',
    });
    const mul = await c.updateOne({ _id: 20 }, { $mul: { v: 2 } }).catch((e: unknown) => e);
    expect(mul).toMatchObject({
      code: 2,
      message:
        'Failed to apply $mul operations to current value ((NumberLong)9223372036854775807) for document {_id: 20}',
    });
    await c.insertOne({ _id: 'x', v: 1 });
    const mixed = await c
      .updateOne({ _id: 'x' }, { $inc: { v: L('9223372036854775807') } })
      .catch((e: unknown) => e);
    expect(mixed).toMatchObject({
      code: 2,
      message: 'Failed to apply $inc operations to current value ((NumberInt)1) for document {_id: "x"}',
    });
    expect(typed((await c.findOne({ _id: 20 }, { promoteValues: false }))?.v)).toBe(
      'Long(9223372036854775807)',
    );
  });

  it('makes a double when either operand is a double', async () => {
    expect(await apply(30, 5, { $inc: { v: 0.5 } })).toBe('Double(5.5)');
    expect(await apply(31, 2, { $mul: { v: new Double(1.5) } })).toBe('Double(3)');
    expect(await apply(32, L('9007199254740993'), { $inc: { v: new Double(0) } })).toBe(
      'Double(9007199254740992)',
    );
    expect(await apply(33, new Double(2), { $inc: { v: 1 } })).toBe('Double(3)');
  });

  it('computes with Decimal128 exactly, keeping the decimal exponent like mongod', async () => {
    expect(await apply(40, D('0.1'), { $inc: { v: D('0.2') } })).toBe('Decimal128(0.3)');
    expect(await apply(41, D('1.50'), { $inc: { v: 1 } })).toBe('Decimal128(2.50)');
    expect(await apply(42, D('1.5'), { $mul: { v: D('2.0') } })).toBe('Decimal128(3.00)');
    expect(await apply(43, L('9223372036854775807'), { $inc: { v: D('1') } })).toBe(
      'Decimal128(9223372036854775808)',
    );
    // A double meets a decimal as its 15-digit decimal (mongod's Decimal128(double)).
    expect(await apply(44, D('1'), { $inc: { v: 0.1 } })).toBe('Decimal128(1.100000000000000)');
    expect(await apply(45, 0.1, { $mul: { v: D('3') } })).toBe('Decimal128(0.300000000000000)');
    expect(await apply(46, D('9999999999999999999999999999999999'), { $inc: { v: 1 } })).toBe(
      'Decimal128(1.000000000000000000000000000000000E+34)',
    );
  });

  it('creates missing fields with the argument’s type ($inc: the argument, $mul: its zero)', async () => {
    expect(await apply(50, undefined, { $inc: { v: L('5') } })).toBe('Long(5)');
    expect(await apply(51, undefined, { $mul: { v: L('5') } })).toBe('Long(0)');
    expect(await apply(52, undefined, { $mul: { v: 2.5 } })).toBe('Double(0)');
    expect(await apply(53, undefined, { $mul: { v: D('1.50') } })).toBe('Decimal128(0.00)');
    expect(await apply(54, undefined, { $mul: { v: new Int32(7) } })).toBe('Int32(0)');
  });

  it('keeps $min/$max exact and type-preserving for Long and Decimal128', async () => {
    expect(await apply(60, L('9007199254740993'), { $max: { v: 9007199254740992 } })).toBe(
      'Long(9007199254740993)',
    );
    expect(await apply(61, L('9007199254740993'), { $min: { v: L('9007199254740992') } })).toBe(
      'Long(9007199254740992)',
    );
    expect(await apply(62, D('0.1'), { $max: { v: 0.1 } })).toBe('Double(0.1)');
  });

  it('rejects non-numeric operands with mongod’s messages', async () => {
    await c.insertOne({ _id: 70, s: 'text' });
    await expect(c.updateOne({ _id: 70 }, { $inc: { s: 1 } })).rejects.toMatchObject({
      code: 14,
      message:
        "Cannot apply $inc to a value of non-numeric type. {_id: 70} has the field 's' of non-numeric type string",
    });
    await expect(c.updateOne({ _id: 70 }, upd({ $inc: { n: 'a' } }))).rejects.toMatchObject({
      code: 14,
      message: 'Cannot increment with non-numeric argument: {n: "a"}',
    });
  });

  it('counts a change of type alone as a modification, like mongod', async () => {
    await c.insertOne({ _id: 80, v: 5 });
    const r = await c.updateOne({ _id: 80 }, { $mul: { v: new Double(1) } });
    expect(r.modifiedCount).toBe(1);
    expect(typed((await c.findOne({ _id: 80 }, { promoteValues: false }))?.v)).toBe('Double(5)');
    const same = await c.updateOne({ _id: 80 }, { $inc: { v: new Double(0) } });
    expect(same.modifiedCount).toBe(0);
  });
});
