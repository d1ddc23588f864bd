/**
 * mongod's aggregation arithmetic on typed numbers (expression.cpp): the narrowest result type that holds the
 * value, int32 overflow widening to Long and Long overflow to double, decimals exact (decimal.ts).
 */
import { type Decimal128, type Double, Long } from 'bson';
import { fail, unsupported } from '../errors.js';
import * as dec from './decimal.js';
import {
  bigOf,
  decimalOf,
  decOf,
  doubleOf,
  fitsLong,
  INT64_MIN,
  intOrLong,
  llround,
  makeDecimal,
  makeDouble,
  makeLong,
  type NumKind,
  numKind,
  widest,
} from './numeric.js';

/** $add's running state (AddState): the narrowest type that holds the sum; a date operand makes a date. */
export class Adder {
  private kind: NumKind = 'int';
  private longTotal = 0n;
  private doubleTotal = 0;
  private decTotal: dec.Dec = dec.ZERO;
  private isDate = false;

  /** Adds the milliseconds of a date operand (only one is allowed). */
  addDate(ms: number): void {
    if (this.isDate) fail('Location16612', 'only one date allowed in an $add expression');
    this.isDate = true;
    this.addValue(BigInt(ms));
  }

  add(v: unknown): void {
    const k = numKind(v)!;
    const old = this.kind;
    this.kind = widest(this.kind, k);
    if (old !== this.kind) {
      if (this.kind === 'double' && old !== 'double') this.doubleTotal = Number(this.longTotal);
      else if (this.kind === 'decimal')
        this.decTotal =
          old === 'double' ? dec.fromDouble(this.doubleTotal, 34) : dec.fromBigInt(this.longTotal);
    }
    this.addValue(v);
  }

  /** Adds v in the current widest type (a bigint is a date's milliseconds). */
  private addValue(v: unknown): void {
    switch (this.kind) {
      case 'int':
      case 'long': {
        const sum = this.longTotal + bigOf(v);
        if (fitsLong(sum)) this.longTotal = sum;
        else {
          // Long overflow: the sum continues as a double.
          this.kind = 'double';
          this.doubleTotal = Number(this.longTotal) + doubleOf(v);
        }
        break;
      }
      case 'double':
        this.doubleTotal += doubleOf(v);
        break;
      case 'decimal':
        this.decTotal = dec.add(this.decTotal, typeof v === 'bigint' ? dec.fromBigInt(v) : decOf(v));
        break;
    }
  }

  value(): unknown {
    if (this.isDate) {
      if (this.kind === 'double') {
        if (!(this.doubleTotal >= -(2 ** 63) && this.doubleTotal < 2 ** 63))
          fail('Location15', 'date overflow in $add');
        return new Date(llround(this.doubleTotal));
      }
      if (this.kind === 'decimal') return new Date(Number(dec.toBigInt(this.decTotal) ?? 0n));
      return new Date(Number(this.longTotal));
    }
    switch (this.kind) {
      case 'int':
        return intOrLong(this.longTotal);
      case 'long':
        return makeLong(this.longTotal);
      case 'double':
        return makeDouble(this.doubleTotal);
      default:
        return makeDecimal(this.decTotal);
    }
  }
}

/**
 * $add / $multiply of plain JS numbers (int32s and doubles, the common case) without BigInt: exact when the
 * int32-only result stays within 2^53, which the caller checks; undefined when another path is needed.
 */
export function plainArithmetic(op: '+' | '*', values: unknown[]): unknown {
  let r = op === '+' ? 0 : 1;
  let ints = true;
  for (const v of values) {
    if (typeof v !== 'number') return undefined;
    if ((v | 0) !== v || Object.is(v, -0)) ints = false;
    r = op === '+' ? r + v : r * v;
  }
  if (!ints) return makeDouble(r);
  // Int32s only: exact unless the result left the safe range (then the Long/BigInt path decides).
  if (!Number.isSafeInteger(r)) return undefined;
  return (r | 0) === r ? r | 0 : Long.fromNumber(r);
}

/** $multiply's running state (MultiplyState): a long product that falls back to the parallel double one. */
export class Multiplier {
  private kind: NumKind = 'int';
  private longProduct = 1n;
  private doubleProduct = 1;
  private decProduct: dec.Dec = dec.ZERO;

  mul(v: unknown): void {
    const old = this.kind;
    this.kind = widest(this.kind, numKind(v)!);
    if (this.kind === 'decimal') {
      if (old !== 'decimal')
        this.decProduct =
          old === 'double' ? dec.fromDouble(this.doubleProduct, 15) : dec.fromBigInt(this.longProduct);
      this.decProduct = dec.multiply(this.decProduct, decOf(v));
      return;
    }
    const d = doubleOf(v);
    this.doubleProduct *= d;
    if (this.kind !== 'double') {
      const p = this.longProduct * bigOf(v);
      if (fitsLong(p)) this.longProduct = p;
      else this.kind = 'double';
    }
  }

  value(): unknown {
    switch (this.kind) {
      case 'int':
        return intOrLong(this.longProduct);
      case 'long':
        return makeLong(this.longProduct);
      case 'double':
        return makeDouble(this.doubleProduct);
      default:
        return makeDecimal(this.decProduct);
    }
  }
}

/** lhs - rhs for two numbers. */
export function subtract(lhs: unknown, rhs: unknown): unknown {
  const k = widest(numKind(lhs)!, numKind(rhs)!);
  if (k === 'decimal') return makeDecimal(dec.subtract(decOf(lhs), decOf(rhs)));
  if (k === 'double') return makeDouble(doubleOf(lhs) - doubleOf(rhs));
  const r = bigOf(lhs) - bigOf(rhs);
  if (k === 'int') return intOrLong(r);
  return fitsLong(r) ? makeLong(r) : makeDouble(doubleOf(lhs) - doubleOf(rhs));
}

/** lhs / rhs: a double, or a decimal when either side is one. */
export function divide(lhs: unknown, rhs: unknown): unknown {
  if (numKind(lhs) === 'decimal' || numKind(rhs) === 'decimal') {
    const d = decOf(rhs);
    if (dec.isZero(d)) fail('Location16608', "can't $divide by zero");
    return makeDecimal(dec.divide(decOf(lhs), d));
  }
  const d = doubleOf(rhs);
  if (d === 0) fail('Location16608', "can't $divide by zero");
  return makeDouble(doubleOf(lhs) / d);
}

/** lhs % rhs with mongod's result types (sign of the dividend). */
export function mod(lhs: unknown, rhs: unknown): unknown {
  const k = widest(numKind(lhs)!, numKind(rhs)!);
  if (k === 'decimal') {
    const d = decOf(rhs);
    if (dec.isZero(d)) fail('Location5733415', "can't $mod by zero");
    return makeDecimal(dec.modulo(decOf(lhs), d));
  }
  if (doubleOf(rhs) === 0) fail('Location16610', "can't $mod by zero");
  if (k === 'double') return makeDouble(doubleOf(lhs) % doubleOf(rhs));
  const r = bigOf(lhs) % bigOf(rhs);
  return k === 'long' ? makeLong(r) : Number(r);
}

export function absolute(v: unknown): unknown {
  switch (numKind(v)) {
    case 'double':
      return makeDouble(Math.abs(doubleOf(v)));
    case 'decimal':
      return makeDecimal(dec.abs(decimalOf(v as Decimal128)));
    case 'long': {
      const b = bigOf(v);
      if (b === INT64_MIN) fail('Location28680', "can't take $abs of long long min");
      return makeLong(b < 0n ? -b : b);
    }
    default: {
      const b = bigOf(v);
      return intOrLong(b < 0n ? -b : b);
    }
  }
}

/** $ceil / $floor: integers unchanged, doubles by Math, decimals quantized to exponent 0. */
export function ceilFloor(v: unknown, mode: 'ceil' | 'floor'): unknown {
  const k = numKind(v);
  if (k === 'double') return makeDouble(Math[mode](doubleOf(v)));
  if (k === 'decimal') {
    const x = decimalOf(v as Decimal128);
    return x.special ? v : makeDecimal(dec.quantize(x, 0, mode));
  }
  return v;
}

/** $round / $trunc to `place` decimal places (mongod's evaluateRoundOrTrunc). */
export function roundOrTrunc(v: unknown, place: number, mode: 'even' | 'down', op: string): unknown {
  switch (numKind(v)) {
    case 'decimal': {
      const x = decimalOf(v as Decimal128);
      return x.special === 'inf' ? v : makeDecimal(dec.quantize(x, -place, mode));
    }
    case 'double': {
      const x = dec.fromDouble(doubleOf(v), 34);
      return x.special === 'inf' ? v : makeDouble(dec.toDouble(dec.quantize(x, -place, mode)));
    }
    default: {
      if (place >= 0) return v;
      const q = dec.quantize(dec.fromBigInt(bigOf(v)), -place, mode);
      const r = dec.toBigInt(q);
      if (r === undefined || !fitsLong(r))
        fail('Location51080', `invalid conversion from Decimal128 result in ${op}`);
      return numKind(v) === 'long' ? makeLong(r) : intOrLong(r);
    }
  }
}

/** $pow: exact for integers whose power fits a long, else a double; decimals are not supported. */
export function power(base: unknown, exp: unknown): unknown {
  const kb = numKind(base)!;
  const ke = numKind(exp)!;
  if (kb === 'decimal' || ke === 'decimal')
    unsupported('$pow of a Decimal128 value (mongod computes it with 34 digits)');
  const b = doubleOf(base);
  const e = doubleOf(exp);
  if (b === 0 && e < 0) fail('Location28764', '$pow cannot take a base of 0 and a negative exponent');
  if (kb === 'double' || ke === 'double') return makeDouble(b ** e);
  const bb = bigOf(base);
  const eb = bigOf(exp);
  let r: bigint | undefined;
  if (eb < 0n || eb > 63n) r = bb === 0n || bb === 1n || bb === -1n ? (eb < 0n ? 1n : bb ** eb) : undefined;
  else {
    r = bb ** eb;
    if (!fitsLong(r)) r = undefined;
  }
  if (r === undefined) return makeDouble(b ** e);
  return kb === 'long' || ke === 'long' ? makeLong(r) : intOrLong(r);
}

/** A function of doubles ($sqrt, $exp, $ln, $sin, ...); decimals are not supported. */
export function doubleFunction(name: string, v: unknown, fn: (x: number) => number): unknown {
  if (numKind(v) === 'decimal')
    unsupported(`${name} of a Decimal128 value (mongod computes it with 34 digits)`);
  return makeDouble(fn(doubleOf(v)));
}

// ---- conversions ($toInt, $toLong, $toDouble, $toDecimal) ------------------------------------------------

function conversionFailed(what: string): never {
  fail('Location241', `${what} in $convert with no onError value`);
}

/** An integer from a number, truncating fractions like mongod's conversions; undefined for NaN/infinity. */
function truncToBig(v: unknown): bigint | undefined {
  const k = numKind(v);
  if (k === 'int' || k === 'long') return bigOf(v);
  if (k === 'decimal') return dec.toBigInt(decimalOf(v as Decimal128), 'down');
  const d = doubleOf(v);
  return Number.isFinite(d) ? BigInt(Math.trunc(d)) : undefined;
}

export function toIntValue(v: unknown): number {
  const b = truncToBig(v);
  if (b === undefined) conversionFailed('Attempt to convert NaN or infinity value to integer');
  if (b < -2147483648n || b > 2147483647n) conversionFailed('Conversion would overflow target type');
  return Number(b);
}

export function toLongValue(v: unknown): Long {
  const b = truncToBig(v);
  if (b === undefined) conversionFailed('Attempt to convert NaN or infinity value to integer');
  if (!fitsLong(b)) conversionFailed('Conversion would overflow target type');
  return makeLong(b);
}

export function toDoubleValue(v: unknown): number | Double {
  const d = doubleOf(v);
  if (numKind(v) === 'decimal' && !Number.isFinite(d) && !decimalOf(v as Decimal128).special)
    conversionFailed('Conversion would overflow target type');
  return makeDouble(d);
}

export const toDecimalValue = (v: unknown): Decimal128 => makeDecimal(decOf(v));
