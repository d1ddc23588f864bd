/**
 * IEEE 754-2008 decimal128 arithmetic as mongod does it (Intel's BID library, rounding half to even):
 * exact BigInt arithmetic on the coefficient, then rounding to 34 digits. Results keep the exponent the
 * standard prescribes, so the cohort (trailing zeros) matches mongod: `1.50 + 1` is `2.50`, `1.5 * 2.0` is
 * `3.00`. Only what the emulator needs: no transcendental functions (callers reject those for decimals).
 */
import { Decimal128 } from 'bson';
import { decimalPartsOfDouble } from '../numbers.js';

/** A decimal128 value: finite (sign · coef · 10^exp), infinite or NaN. */
export interface Dec {
  readonly neg: boolean;
  readonly coef: bigint;
  readonly exp: number;
  readonly special?: 'inf' | 'nan';
}

export type Rounding = 'even' | 'down' | 'floor' | 'ceil';

const DIGITS = 34;
const EXP_MIN = -6176;
const EXP_MAX = 6111;
const BIAS = 6176n;
const MAX_COEF = 10n ** 34n - 1n;
const MASK64 = (1n << 64n) - 1n;
const POW10: bigint[] = [1n];

export const NAN: Dec = { neg: false, coef: 0n, exp: 0, special: 'nan' };
export const ZERO: Dec = { neg: false, coef: 0n, exp: 0 };

export const inf = (neg: boolean): Dec => ({ neg, coef: 0n, exp: 0, special: 'inf' });

export function pow10(n: number): bigint {
  for (let i = POW10.length; i <= n; i++) POW10.push(POW10[i - 1]! * 10n);
  return POW10[n]!;
}

function digitsOf(c: bigint): number {
  return c === 0n ? 1 : c.toString().length;
}

/** c / 10^drop rounded by `mode` (c ≥ 0; `neg` tells the sign of the value for floor/ceil). */
function divRound(c: bigint, drop: number, mode: Rounding, neg: boolean): bigint {
  if (drop <= 0) return c;
  const d = pow10(drop);
  const q = c / d;
  const r = c % d;
  if (r === 0n) return q;
  switch (mode) {
    case 'down':
      return q;
    case 'floor':
      return neg ? q + 1n : q;
    case 'ceil':
      return neg ? q : q + 1n;
    default: {
      const twice = r * 2n;
      return twice > d || (twice === d && (q & 1n) === 1n) ? q + 1n : q;
    }
  }
}

/** Brings an exact result into decimal128's range: at most 34 digits, exponent within [-6176, 6111]. */
export function finish(neg: boolean, coef: bigint, exp: number, mode: Rounding = 'even'): Dec {
  let c = coef;
  let e = exp;
  const digits = digitsOf(c);
  if (digits > DIGITS) {
    const drop = digits - DIGITS;
    c = divRound(c, drop, mode, neg);
    e += drop;
    if (c > MAX_COEF) {
      c /= 10n;
      e++;
    }
  }
  if (e < EXP_MIN) {
    c = divRound(c, EXP_MIN - e, mode, neg);
    e = EXP_MIN;
  }
  if (e > EXP_MAX) {
    if (c === 0n) e = EXP_MAX;
    else {
      // Fold down: pad the coefficient with zeros while it has room (same value, lower exponent).
      const room = DIGITS - digitsOf(c);
      if (e - EXP_MAX > room) return inf(neg);
      c *= pow10(e - EXP_MAX);
      e = EXP_MAX;
    }
  }
  return { neg, coef: c, exp: e };
}

const view = new DataView(new ArrayBuffer(16));

/** Decodes the BID encoding (non-canonical coefficients read as zero, like mongod). */
export function decode(d: Decimal128): Dec {
  const b = d.bytes;
  for (let i = 0; i < 16; i++) view.setUint8(i, b[i]!);
  const low = view.getBigUint64(0, true);
  const high = view.getBigUint64(8, true);
  const neg = high >> 63n === 1n;
  const comb = (high >> 58n) & 0x1fn;
  if (comb === 0x1fn) return NAN;
  if (comb === 0x1en) return inf(neg);
  if (((high >> 61n) & 3n) === 3n) {
    // Large-coefficient form: always above 10^34 - 1, i.e. non-canonical, so zero.
    return { neg, coef: 0n, exp: Number((high >> 47n) & 0x3fffn) - 6176 };
  }
  const coef = ((high & ((1n << 49n) - 1n)) << 64n) | low;
  const exp = Number((high >> 49n) & 0x3fffn) - 6176;
  return { neg, coef: coef > MAX_COEF ? 0n : coef, exp };
}

export function encode(x: Dec): Decimal128 {
  let high: bigint;
  let low = 0n;
  if (x.special === 'nan') high = 0x7c00000000000000n;
  else if (x.special === 'inf') high = x.neg ? 0xf800000000000000n : 0x7800000000000000n;
  else {
    high = ((x.neg ? 1n : 0n) << 63n) | ((BigInt(x.exp) + BIAS) << 49n) | (x.coef >> 64n);
    low = x.coef & MASK64;
  }
  view.setBigUint64(0, low, true);
  view.setBigUint64(8, high, true);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = view.getUint8(i);
  return new Decimal128(bytes);
}

export function fromBigInt(b: bigint): Dec {
  return b < 0n ? { neg: true, coef: -b, exp: 0 } : { neg: false, coef: b, exp: 0 };
}

/** The exact value of a finite double as coef · 10^exp with the fewest digits (Intel's binary64_to_bid128). */
function exactDouble(d: number): Dec {
  if (d === 0) return { neg: Object.is(d, -0), coef: 0n, exp: 0 };
  return decimalPartsOfDouble(d);
}

/**
 * A double as a decimal, like mongod's Decimal128(double, precision): 34 digits is the exact value rounded
 * to 34 digits; 15 digits (mongod's default, used when a double meets a decimal in arithmetic) quantizes
 * to exactly 15 significant digits, so 0.1 becomes 0.100000000000000.
 */
export function fromDouble(d: number, digits: 15 | 34 = 15): Dec {
  if (Number.isNaN(d)) return NAN;
  if (!Number.isFinite(d)) return inf(d < 0);
  const x34 = finish(...parts(exactDouble(d)));
  if (digits === 34 || d === 0) return x34;
  // base-10 exponent estimate from the binary exponent, as decimal128.cpp computes it.
  const a = Math.abs(d);
  let base2 = Math.floor(Math.log2(a));
  while (2 ** base2 > a) base2--; // floor(log2 |d|) exactly (Math.log2 may be off by one ulp)
  while (2 ** (base2 + 1) <= a) base2++;
  let base10 = Math.trunc((base2 * 30103) / 100000);
  if (base2 < 0) base10--;
  let q = quantize(x34, base10 - 14);
  if (q.coef > 999999999999999n) q = quantize(x34, base10 - 13);
  return q;
}

function parts(x: Dec): [boolean, bigint, number] {
  return [x.neg, x.coef, x.exp];
}

/** Re-expresses x with exponent `exp`, rounding by `mode`; NaN when that needs more than 34 digits. */
export function quantize(x: Dec, exp: number, mode: Rounding = 'even'): Dec {
  if (x.special) return NAN;
  if (x.exp >= exp) {
    const c = x.coef * pow10(x.exp - exp);
    return c > MAX_COEF ? NAN : { neg: x.neg, coef: c, exp };
  }
  return { neg: x.neg, coef: divRound(x.coef, exp - x.exp, mode, x.neg), exp };
}

export const negate = (x: Dec): Dec => (x.special === 'nan' ? x : { ...x, neg: !x.neg });
export const abs = (x: Dec): Dec => (x.special === 'nan' ? x : { ...x, neg: false });
export const isZero = (x: Dec): boolean => !x.special && x.coef === 0n;

function signed(x: Dec, scale: number): bigint {
  const c = x.coef * pow10(scale);
  return x.neg ? -c : c;
}

export function add(a: Dec, b: Dec): Dec {
  if (a.special === 'nan' || b.special === 'nan') return NAN;
  if (a.special === 'inf' || b.special === 'inf') {
    if (a.special === 'inf' && b.special === 'inf' && a.neg !== b.neg) return NAN;
    return a.special === 'inf' ? a : b;
  }
  const e = Math.min(a.exp, b.exp);
  const sum = signed(a, a.exp - e) + signed(b, b.exp - e);
  // An exact zero is +0 unless both operands are negative (rounding to nearest).
  if (sum === 0n) return finish(a.neg && b.neg, 0n, e);
  return finish(sum < 0n, sum < 0n ? -sum : sum, e);
}

export const subtract = (a: Dec, b: Dec): Dec => add(a, negate(b));

export function multiply(a: Dec, b: Dec): Dec {
  const neg = a.neg !== b.neg;
  if (a.special === 'nan' || b.special === 'nan') return NAN;
  if (a.special === 'inf' || b.special === 'inf') return isZero(a) || isZero(b) ? NAN : inf(neg);
  return finish(neg, a.coef * b.coef, a.exp + b.exp);
}

/** a / b (b not zero: callers answer mongod's division-by-zero errors first). */
export function divide(a: Dec, b: Dec): Dec {
  const neg = a.neg !== b.neg;
  if (a.special === 'nan' || b.special === 'nan') return NAN;
  if (a.special === 'inf') return b.special === 'inf' ? NAN : inf(neg);
  if (b.special === 'inf') return finish(neg, 0n, EXP_MIN);
  if (b.coef === 0n) return a.coef === 0n ? NAN : inf(neg);
  const ideal = a.exp - b.exp;
  if (a.coef === 0n) return finish(neg, 0n, ideal);
  // Scale the dividend so the quotient has at least 35 digits, then round with a sticky digit.
  const shift = Math.max(0, DIGITS + 1 + digitsOf(b.coef) - digitsOf(a.coef));
  let q = (a.coef * pow10(shift)) / b.coef;
  const r = (a.coef * pow10(shift)) % b.coef;
  let exp = ideal - shift;
  if (r === 0n) {
    // Exact: the exponent closest to the ideal one (strip the zeros the scaling added).
    while (exp < ideal && q % 10n === 0n) {
      q /= 10n;
      exp++;
    }
    return finish(neg, q, exp);
  }
  return finish(neg, q * 10n + 1n, exp - 1);
}

/** Remainder with the sign of the dividend (bid128_fmod); b not zero. */
export function modulo(a: Dec, b: Dec): Dec {
  if (a.special || b.special === 'nan') return NAN;
  if (b.special === 'inf') return a;
  const e = Math.min(a.exp, b.exp);
  const r = (a.coef * pow10(a.exp - e)) % (b.coef * pow10(b.exp - e));
  return finish(a.neg, r, e);
}

/** Nearest double (through the exact decimal string, which JS parses with correct rounding). */
export function toDouble(x: Dec): number {
  if (x.special === 'nan') return Number.NaN;
  if (x.special === 'inf') return x.neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const v = Number(`${x.coef}e${x.exp}`);
  return x.neg ? -v : v;
}

/** The integer x rounds to (mode), or undefined for NaN/infinity. */
export function toBigInt(x: Dec, mode: Rounding = 'even'): bigint | undefined {
  if (x.special) return undefined;
  const c = x.exp >= 0 ? x.coef * pow10(x.exp) : divRound(x.coef, -x.exp, mode, x.neg);
  return x.neg ? -c : c;
}

/** True when x has no fractional part (NaN/infinity are not integral). */
export function isIntegral(x: Dec): boolean {
  if (x.special) return false;
  return x.exp >= 0 || x.coef % pow10(-x.exp) === 0n;
}
