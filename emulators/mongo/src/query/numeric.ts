/**
 * BSON numbers with their types, and mongod's arithmetic on them. Values follow the stored-document
 * convention (what the BSON serializer writes): a JS number is an int32 when it is an integer in int32 range
 * (and not -0), otherwise a double; `Double` wraps a double that would otherwise read as an int32; `Long` and
 * `Decimal128` are int64 and decimal128. Results are built in the same convention, so they serialise with
 * mongod's types. Long arithmetic is BigInt, decimal arithmetic exact (decimal.ts).
 */
import { type Decimal128, Double, Long } from 'bson';
import * as dec from './decimal.js';

export type NumKind = 'int' | 'long' | 'double' | 'decimal';

const RANK: Record<NumKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

type Tagged = { _bsontype?: string };

/** The BSON numeric type of v, or undefined when v is not a number. */
export function numKind(v: unknown): NumKind | undefined {
  if (typeof v === 'number') return (v | 0) === v && !Object.is(v, -0) ? 'int' : 'double';
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? 'long' : undefined;
  switch ((v as Tagged)._bsontype) {
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    default:
      return undefined;
  }
}

export const widest = (a: NumKind, b: NumKind): NumKind => (RANK[a] >= RANK[b] ? a : b);

export const fitsLong = (b: bigint): boolean => b >= INT64_MIN && b <= INT64_MAX;

// ---- building values ------------------------------------------------------------------------------------

/** A double, wrapped when it would otherwise be written as an int32. */
export function makeDouble(d: number): number | Double {
  return (d | 0) === d && !Object.is(d, -0) ? new Double(d) : d;
}

export const makeLong = (b: bigint): Long => Long.fromBigInt(b);

/** int32 when it fits, else Long (mongod's Value::createIntOrLong). */
export function intOrLong(b: bigint): number | Long {
  return b >= -2147483648n && b <= 2147483647n ? Number(b) : Long.fromBigInt(b);
}

export const makeDecimal = (x: dec.Dec): Decimal128 => dec.encode(x);

// ---- reading values (mongod's coerceTo*) ----------------------------------------------------------------

const decodedCache = new WeakMap<object, dec.Dec>();

/** The decoded decimal of a Decimal128 (cached: decoding costs BigInt work). */
export function decimalOf(v: Decimal128): dec.Dec {
  let d = decodedCache.get(v);
  if (d === undefined) {
    d = dec.decode(v);
    decodedCache.set(v, d);
  }
  return d;
}

/** Integer value of an int or long. */
export function bigOf(v: unknown): bigint {
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  const t = (v as Tagged)._bsontype;
  if (t === 'Long') return (v as Long).toBigInt();
  if (t === 'Int32') return BigInt((v as { value: number }).value);
  throw new Error('bigOf: not an integer');
}

/** mongod's coerceToDouble: long rounds to nearest, decimal to the nearest double. */
export function doubleOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  switch ((v as Tagged)._bsontype) {
    case 'Int32':
    case 'Double':
      return (v as { value: number }).value;
    case 'Long':
      return Number((v as Long).toBigInt());
    case 'Decimal128':
      return dec.toDouble(decimalOf(v as Decimal128));
    default:
      return Number.NaN;
  }
}

/** mongod's coerceToDecimal: integers exactly, a double rounded to 15 digits. */
export function decOf(v: unknown): dec.Dec {
  const k = numKind(v);
  if (k === 'decimal') return decimalOf(v as Decimal128);
  if (k === 'double') return dec.fromDouble(doubleOf(v), 15);
  return dec.fromBigInt(bigOf(v));
}

// ---- $inc / $mul (mongod's SafeNum) ---------------------------------------------------------------------

/**
 * `arg (op) current` as mongod's update operators compute it: int32 overflow widens to Long, Long overflow is
 * an error (undefined here), any double makes a double, any decimal a decimal.
 */
export function safeArith(op: '+' | '*', arg: unknown, current: unknown): unknown {
  if (
    typeof arg === 'number' &&
    typeof current === 'number' &&
    (arg | 0) === arg &&
    (current | 0) === current
  ) {
    // Hot path, int32 with int32: exact in a double (sums below 2^32, products checked against 2^53).
    const r = op === '+' ? arg + current : arg * current;
    if (!Object.is(arg, -0) && !Object.is(current, -0) && Number.isSafeInteger(r))
      return (r | 0) === r ? r | 0 : Long.fromNumber(r); // r | 0: 0 * -5 is int 0, not -0
  }
  const a = numKind(arg)!;
  const c = numKind(current)!;
  if (a === 'decimal' || c === 'decimal') {
    const x = decOf(arg);
    const y = decOf(current);
    return makeDecimal(op === '+' ? dec.add(x, y) : dec.multiply(x, y));
  }
  if (a === 'double' || c === 'double') {
    const x = doubleOf(arg);
    const y = doubleOf(current);
    return makeDouble(op === '+' ? x + y : x * y);
  }
  if (op === '+' && (a === 'long' || c === 'long')) {
    // Long addition on the 64-bit words (the $inc hot path for Longs); overflow flips the sign.
    const x = a === 'long' ? (arg as Long) : Long.fromInt(doubleOf(arg));
    const y = c === 'long' ? (current as Long) : Long.fromInt(doubleOf(current));
    const r = x.add(y);
    const overflow = x.isNegative() === y.isNegative() && r.isNegative() !== x.isNegative();
    return overflow ? undefined : r;
  }
  const r = op === '+' ? bigOf(arg) + bigOf(current) : bigOf(arg) * bigOf(current);
  if (a === 'int' && c === 'int') return intOrLong(r);
  return fitsLong(r) ? makeLong(r) : undefined;
}

/** mongod's SafeNum::debugString, used in the overflow error message. */
export function debugString(v: unknown): string {
  switch (numKind(v)) {
    case 'int':
      return `(NumberInt)${doubleOf(v)}`;
    case 'long':
      return `(NumberLong)${bigOf(v)}`;
    case 'double':
      return `(NumberDouble)${doubleOf(v)}`;
    case 'decimal':
      return `(NumberDecimal)${String(v)}`;
    default:
      return '(EOO)';
  }
}

/** A number as date milliseconds: doubles rounded half away from zero, decimals half to even (mongod). */
export function millisOf(v: unknown): number {
  const k = numKind(v);
  if (k === 'double') return llround(doubleOf(v));
  if (k === 'decimal') return Number(dec.toBigInt(decimalOf(v as Decimal128)) ?? Number.NaN);
  return Number(bigOf(v));
}

/** C's llround: nearest integer, halves away from zero. */
export function llround(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Integer view of an int/long, or of a double/decimal with no fractional part; undefined otherwise. */
export function integralOf(v: unknown): bigint | undefined {
  const k = numKind(v);
  if (k === 'int' || k === 'long') return bigOf(v);
  if (k === 'double') {
    const d = doubleOf(v);
    return Number.isInteger(d) ? BigInt(d) : undefined;
  }
  if (k === 'decimal') {
    const x = decimalOf(v as Decimal128);
    return dec.isIntegral(x) ? dec.toBigInt(x) : undefined;
  }
  return undefined;
}

/** mongod's coerceToBool for numbers: zero (of any type) is false, everything else (NaN too) true. */
export function numberIsTruthy(v: unknown): boolean {
  const k = numKind(v);
  if (k === 'decimal') return !dec.isZero(decimalOf(v as Decimal128));
  if (k === 'long') return bigOf(v) !== 0n;
  return doubleOf(v) !== 0;
}
