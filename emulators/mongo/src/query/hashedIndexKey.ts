/**
 * `$toHashedIndexKey`: mongod's hashed-index hash (BSONElementHasher::hash64, seed 0) of a value, as a Long.
 * An MD5 over the seed, the value's canonical type and its bytes (numbers squashed to an int64 first, so
 * 3, NumberLong(3) and 3.0 hash alike), the first 8 bytes read little-endian. Clients rely on getting
 * the same number as mongod (e.g. to split a change stream by hashed key), so every scalar type follows
 * the server's encoding; objects and arrays (a recursive walk with field names) are refused.
 */
import { hash } from 'node:crypto';
import { type Binary, Long, type ObjectId, type Timestamp } from 'bson';
import { evalExpr } from 'mingo/core';
import { unsupported } from '../errors.js';
import type { ExpressionFn } from './evaluate.js';
import * as n from './numeric.js';
import { typeAlias } from './typeNames.js';

/** mongod's canonicalizeBSONType, for the types a hashed key can hold here. */
const CANONICAL_TYPE: Record<string, number> = {
  minKey: -1,
  missing: 5, // hashed as null, like mongod's ExpressionToHashedIndexKey
  undefined: 0,
  null: 5,
  int: 10,
  long: 10,
  double: 10,
  decimal: 10,
  string: 15,
  symbol: 15,
  binData: 30,
  objectId: 35,
  bool: 40,
  date: 45,
  timestamp: 47,
  regex: 50,
  maxKey: 127,
};

/** One-shot MD5 (crypto.hash avoids a Hash object per call). */
const md5 = (input: Buffer): Buffer => hash('md5', input, 'buffer');

function int32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32LE(value, 0);
  return b;
}

function int64(value: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64LE(value, 0);
  return b;
}

/** mongod's safeNumberLong: doubles truncate toward zero, NaN is 0, out of range clamps. */
function safeNumberLong(v: unknown): bigint {
  const kind = n.numKind(v);
  if (kind === 'int' || kind === 'long') return n.bigOf(v);
  const d = n.doubleOf(v);
  if (Number.isNaN(d)) return 0n;
  if (d >= 2 ** 63) return n.INT64_MAX;
  if (d < -(2 ** 63)) return n.INT64_MIN;
  return BigInt(Math.trunc(d));
}

/** The BSON value bytes mongod feeds the hash (BSONElement::value(), valuesize()). */
function valueBytes(alias: string, v: unknown): Buffer {
  switch (alias) {
    case 'string': {
      const text = Buffer.from(String(v), 'utf8');
      return Buffer.concat([int32(text.length + 1), text, Buffer.from([0])]);
    }
    case 'symbol': {
      const text = Buffer.from(String((v as { value: string }).value), 'utf8');
      return Buffer.concat([int32(text.length + 1), text, Buffer.from([0])]);
    }
    case 'objectId':
      return Buffer.from((v as ObjectId).id);
    case 'bool':
      return Buffer.from([v ? 1 : 0]);
    case 'date':
      return int64(BigInt((v as Date).getTime()));
    case 'timestamp': {
      const ts = v as Timestamp;
      return Buffer.concat([int32(ts.i | 0), int32(ts.t | 0)]);
    }
    case 'binData': {
      const bin = v as Binary | Uint8Array;
      const bytes = 'sub_type' in bin ? Buffer.from(bin.buffer.subarray(0, bin.position)) : Buffer.from(bin);
      const subtype = 'sub_type' in bin ? bin.sub_type : 0;
      return Buffer.concat([int32(bytes.length), Buffer.from([subtype]), bytes]);
    }
    case 'regex': {
      const re = v as RegExp;
      return Buffer.from(`${re.source}\0${re.flags}\0`, 'utf8');
    }
    default:
      return Buffer.alloc(0); // null, undefined, missing, minKey, maxKey carry no value bytes
  }
}

/** Hashes of recent strings: change-stream filters hash the same keys over and over (bounded). */
const stringHashes = new Map<string, Long>();
const STRING_CACHE_LIMIT = 10_000;

/** The hashed-index key of a value (mongod's BSONElementHasher::hash64 with the default seed 0). */
export function hashedIndexKey(v: unknown): Long {
  if (typeof v === 'string') {
    let cached = stringHashes.get(v);
    if (cached === undefined) {
      cached = computeHash('string', v);
      if (stringHashes.size >= STRING_CACHE_LIMIT) stringHashes.clear();
      stringHashes.set(v, cached);
    }
    return cached;
  }
  return computeHash(typeAlias(v), v);
}

function computeHash(alias: string, v: unknown): Long {
  const canonical = CANONICAL_TYPE[alias];
  if (canonical === undefined) unsupported(`$toHashedIndexKey of a value of type ${alias}`);
  const value = n.numKind(v) !== undefined ? int64(safeNumberLong(v)) : valueBytes(alias, v);
  const input = Buffer.concat([int32(0), int32(canonical), value]); // seed, type, value
  return Long.fromBigInt(md5(input).readBigInt64LE(0));
}

export const HASHING: Record<string, ExpressionFn> = {
  $toHashedIndexKey: (obj, expr, options) => {
    // One operand, taken as is: an array literal is a value to hash, not an argument list (mongod).
    return hashedIndexKey(evalExpr(obj, expr, options));
  },
};
