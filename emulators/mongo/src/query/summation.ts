/**
 * mongod's $sum / $avg / $stdDev* state: non-decimal inputs in a compensated double-double sum (exact for any
 * realistic series of int32/int64 values), decimals exactly, and the widest type seen decides the result.
 */
import type { Decimal128 } from 'bson';
import * as dec from './decimal.js';
import {
  bigOf,
  decimalOf,
  doubleOf,
  fitsLong,
  INT64_MAX,
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

/** Compensated sum of doubles (about 106 bits), exact for any realistic series of int32/int64 values. */
export class DoubleDouble {
  private sum = 0;
  private addend = 0;
  private special = 0;

  addDouble(v: number): void {
    this.special += v;
    let x = v;
    // Fast2Sum(x, addend), then 2Sum(sum, x): Dekker / Knuth, as mongod's summation.h.
    let s = x + this.addend;
    const z = s - x;
    this.addend = this.addend - z;
    x = s;
    s = this.sum + x;
    const aPrime = s - x;
    const bPrime = s - aPrime;
    const t = this.sum - aPrime + (x - bPrime);
    this.sum = s;
    this.addend += t;
  }

  /** Splits a 64-bit integer into two doubles so the sum stays exact. */
  addLong(b: bigint): void {
    const high = (b / 4294967296n) * 4294967296n;
    this.addDouble(Number(b - high));
    this.addDouble(Number(high));
  }

  getDouble(): number {
    return Number.isNaN(this.sum) ? this.special : this.sum;
  }

  fitsLong(): boolean {
    if (this.sum > -(2 ** 63) && this.sum < 2 ** 63) return true;
    if (this.sum === 2 ** 63) return this.addend < -0.5;
    if (this.sum === -(2 ** 63)) return this.addend >= -0.5;
    return false;
  }

  getLong(): bigint {
    if (this.sum === 2 ** 63) return BigInt(llround(this.addend)) + 2n ** 63n;
    const s = BigInt(llround(this.sum));
    return s + BigInt(llround(this.sum - Number(s) + this.addend));
  }

  getDecimal(): dec.Dec {
    if (!Number.isFinite(this.sum)) return dec.fromDouble(this.special, 34);
    return dec.add(dec.fromDouble(this.sum, 34), dec.fromDouble(this.addend, 34));
  }
}

/** $sum's state: the widest type seen; non-decimals in a DoubleDouble, decimals exactly. */
export class Summer {
  protected kind: NumKind = 'int';
  protected readonly total = new DoubleDouble();
  protected decTotal: dec.Dec = dec.ZERO;

  /** Adds v when it is a number (other values are ignored, like mongod). */
  add(v: unknown): boolean {
    const k = numKind(v);
    if (k === undefined) return false;
    this.kind = widest(this.kind, k);
    if (k === 'decimal') this.decTotal = dec.add(this.decTotal, decimalOf(v as Decimal128));
    else if (k === 'long') this.total.addLong(bigOf(v));
    else this.total.addDouble(doubleOf(v));
    return true;
  }

  value(): unknown {
    switch (this.kind) {
      case 'int':
        if (this.total.fitsLong()) return intOrLong(this.total.getLong());
        return makeDouble(this.total.getDouble());
      case 'long':
        if (this.total.fitsLong()) return makeLong(this.total.getLong());
        return makeDouble(this.total.getDouble());
      case 'double':
        return makeDouble(this.total.getDouble());
      default:
        return makeDecimal(dec.add(this.decTotal, this.total.getDecimal()));
    }
  }
}

/** $avg: a double (decimal when any input is one), null without numeric inputs. */
export class Averager extends Summer {
  private count = 0;

  override add(v: unknown): boolean {
    if (super.add(v)) this.count++;
    return true;
  }

  override value(): unknown {
    if (this.count === 0) return null;
    if (this.kind === 'decimal')
      return makeDecimal(
        dec.divide(dec.add(this.decTotal, this.total.getDecimal()), dec.fromBigInt(BigInt(this.count))),
      );
    return makeDouble(this.total.getDouble() / this.count);
  }
}

/**
 * `$sum: <numeric constant>` (mongod's ConstantSumState): plain running total of the constant's type, int
 * overflowing to long and long to double.
 */
export function constantSum(constant: unknown, count: number): unknown {
  const k = numKind(constant);
  if (k === 'decimal') {
    const s = new Summer();
    for (let i = 0; i < count; i++) s.add(constant);
    return s.value();
  }
  if (k === 'double') {
    const c = doubleOf(constant);
    let t = 0;
    for (let i = 0; i < count; i++) t += c;
    return makeDouble(t);
  }
  const c = bigOf(constant);
  const r = c * BigInt(count);
  if (fitsLong(r)) return k === 'long' ? makeLong(r) : intOrLong(r);
  // Long overflow: mongod goes on in doubles from the last long total.
  const fitting = c > 0n ? INT64_MAX / c : INT64_MIN / c;
  let t = Number(c * fitting);
  for (let i = fitting; i < BigInt(count); i++) t += Number(c);
  return makeDouble(t);
}

/** Welford's running mean/variance over the numeric inputs (mongod's $stdDevPop / $stdDevSamp). */
export class StdDev {
  private count = 0;
  private mean = 0;
  private m2 = 0;

  add(v: unknown): void {
    if (numKind(v) === undefined) return;
    const x = doubleOf(v);
    this.count++;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
  }

  value(sample: boolean): unknown {
    const n = sample ? this.count - 1 : this.count;
    if (n <= 0) return null;
    return makeDouble(Math.sqrt(this.m2 / n));
  }
}
