/**
 * Exact numeric comparison across BSON number types (double, int32, Long, Decimal128), as mongod does:
 * numbers compare by mathematical value. Plain JS numbers never come here on the hot paths (callers compare
 * them directly); Long values within ±2^53 and Decimal128 values that are exactly a double are reduced to that
 * double; only the rest (Long beyond 2^53, Decimal128 such as 0.1 that no double equals) use BigInt arithmetic.
 *
 * NaN (double or Decimal128) equals NaN and sorts below every other number; ±Infinity (double or Decimal128)
 * are equal across types and sort below/above every finite number — mongod's order.
 */

type Tagged = { _bsontype?: string };

/** A number as sign · coef · 10^exp with coef free of trailing zeros (so equal values have equal forms). */
export interface Exact {
  /** 0 NaN, 1 -Infinity, 2 finite, 3 +Infinity: the order between kinds. */
  readonly rank: 0 | 1 | 2 | 3;
  readonly neg: boolean;
  readonly coef: bigint;
  readonly exp: number;
  /** Decimal digits of coef. */
  readonly digits: number;
}

const NAN: Exact = { rank: 0, neg: false, coef: 0n, exp: 0, digits: 1 };
const NEG_INF: Exact = { rank: 1, neg: true, coef: 0n, exp: 0, digits: 1 };
const POS_INF: Exact = { rank: 3, neg: false, coef: 0n, exp: 0, digits: 1 };
const ZERO: Exact = { rank: 2, neg: false, coef: 0n, exp: 0, digits: 1 };

function finite(neg: boolean, coef: bigint, exp: number): Exact {
  if (coef === 0n) return ZERO;
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return { rank: 2, neg, coef, exp, digits: coef.toString().length };
}

export function exactOfBigInt(b: bigint): Exact {
  return b < 0n ? finite(true, -b, 0) : finite(false, b, 0);
}

const scratch = new DataView(new ArrayBuffer(8));

/**
 * A finite, non-zero double's exact value as coef · 10^exp: every such double is m · 2^e, which is
 * m · 5^-e · 10^e when e < 0. The fewest digits: trailing zero bits of m are dropped first.
 */
export function decimalPartsOfDouble(d: number): { neg: boolean; coef: bigint; exp: number } {
  scratch.setFloat64(0, d);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const neg = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = biased - 1075;
  }
  while (e < 0 && (mant & 1n) === 0n) {
    mant >>= 1n;
    e++;
  }
  if (e >= 0) return { neg, coef: mant << BigInt(e), exp: 0 };
  return { neg, coef: mant * 5n ** BigInt(-e), exp: e };
}

/** The exact decimal value of a double. */
export function exactOfDouble(d: number): Exact {
  if (Number.isNaN(d)) return NAN;
  if (d === Number.POSITIVE_INFINITY) return POS_INF;
  if (d === Number.NEGATIVE_INFINITY) return NEG_INF;
  if (d === 0) return ZERO;
  if (Number.isSafeInteger(d)) return exactOfBigInt(BigInt(d));
  const { neg, coef, exp } = decimalPartsOfDouble(d);
  return finite(neg, coef, exp);
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d*))?(?:E([+-]?\d+))?$/i;

/** Parses Decimal128's canonical string ("1.5E+3", "-0.00", "NaN", "-Infinity", ...). */
export function exactOfDecimalString(s: string): Exact {
  if (s === 'NaN' || s === '-NaN') return NAN;
  if (s === 'Infinity' || s === '+Infinity') return POS_INF;
  if (s === '-Infinity') return NEG_INF;
  const m = DECIMAL.exec(s);
  if (!m) return NAN;
  const frac = m[3] ?? '';
  return finite(m[1] === '-', BigInt(m[2]! + frac), Number(m[4] ?? 0) - frac.length);
}

/** Orders two exact values (NaN < -Infinity < finite < +Infinity). */
export function compareExact(a: Exact, b: Exact): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  if (a.rank !== 2) return 0;
  const sa = a.coef === 0n ? 0 : a.neg ? -1 : 1;
  const sb = b.coef === 0n ? 0 : b.neg ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  let mag: number;
  const ma = a.digits + a.exp;
  const mb = b.digits + b.exp;
  if (ma !== mb) mag = ma < mb ? -1 : 1;
  else if (a.exp === b.exp) mag = a.coef < b.coef ? -1 : a.coef > b.coef ? 1 : 0;
  else if (a.exp > b.exp) {
    const x = a.coef * 10n ** BigInt(a.exp - b.exp);
    mag = x < b.coef ? -1 : x > b.coef ? 1 : 0;
  } else {
    const y = b.coef * 10n ** BigInt(b.exp - a.exp);
    mag = a.coef < y ? -1 : a.coef > y ? 1 : 0;
  }
  return sa * mag;
}

interface Info {
  exact: Exact;
  /** The double equal to the value, or undefined when no double is. */
  double: number | undefined;
}

/** Per Long/Decimal128 object (they are immutable): parsing costs BigInt work, do it once. */
const infos = new WeakMap<object, Info>();

function info(v: object, t: string): Info {
  let i = infos.get(v);
  if (i === undefined) {
    let exact: Exact;
    let candidate: number;
    if (t === 'Long') {
      const b = (v as { toBigInt(): bigint }).toBigInt();
      exact = exactOfBigInt(b);
      candidate = Number(b);
    } else {
      const s = String(v);
      exact = exactOfDecimalString(s);
      candidate = exact.rank === 0 ? Number.NaN : exact.coef === 0n && exact.rank === 2 ? 0 : Number(s);
    }
    const double = compareExact(exactOfDouble(candidate), exact) === 0 ? candidate : undefined;
    i = { exact, double };
    infos.set(v, i);
  }
  return i;
}

/** True for the BSON number wrappers this module reasons about. */
export function isWrappedNumber(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const t = (v as Tagged)._bsontype;
  return t === 'Long' || t === 'Decimal128' || t === 'Int32' || t === 'Double';
}

/**
 * The double whose value equals v exactly, or undefined (v is not a number, or a Long beyond 2^53 / a
 * Decimal128 no double equals). Cheap for plain numbers and small Longs.
 */
export function exactDouble(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'bigint') {
      const d = Number(v);
      return Number.isFinite(d) && BigInt(d) === v ? d : undefined;
    }
    return undefined;
  }
  const t = (v as Tagged)._bsontype;
  if (t === 'Int32' || t === 'Double') return (v as { value: number }).value;
  if (t === 'Long') {
    // |value| < 2^53 when the high word is within ±2^21: toNumber is exact.
    const high = (v as { high: number }).high;
    if (high >= -0x200000 && high < 0x200000) return (v as { toNumber(): number }).toNumber();
    return info(v, t).double;
  }
  if (t === 'Decimal128') return info(v, t).double;
  return undefined;
}

/** The exact value of any number (plain, Int32/Double/Long/Decimal128 wrapper, bigint); NaN for non-numbers. */
export function exactOf(v: unknown): Exact {
  if (typeof v === 'number') return exactOfDouble(v);
  if (typeof v === 'bigint') return exactOfBigInt(v);
  if (v === null || typeof v !== 'object') return NAN;
  const t = (v as Tagged)._bsontype;
  if (t === 'Int32' || t === 'Double') return exactOfDouble((v as { value: number }).value);
  if (t === 'Long' || t === 'Decimal128') return info(v, t).exact;
  return NAN;
}

/** Compares two numbers of any BSON numeric type by value (NaN equal to NaN and lowest). */
export function compareNumbers(a: unknown, b: unknown): number {
  const x = exactDouble(a);
  const y = exactDouble(b);
  if (x !== undefined && y !== undefined) {
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
    if (Number.isNaN(y)) return 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareExact(exactOf(a), exactOf(b));
}

/**
 * Index/hash key of a number: `n<double>` when a double equals it (so 1, 1.0, Long(1) and Decimal128('1.0')
 * share a key, as in mongod), otherwise `n[-]<coef>d<exp>` from the normalised exact form (doubles never print
 * a `d`, so the two forms cannot collide).
 */
export function numberKey(v: unknown): string {
  const d = exactDouble(v);
  if (d !== undefined) return `n${d === 0 ? 0 : d}`;
  const e = exactOf(v);
  return `n${e.neg ? '-' : ''}${e.coef}d${e.exp}`;
}
