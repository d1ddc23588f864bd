import { Decimal128, Double, Int32, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { identityKey, keyOf } from '../src/bsonUtil.js';
import * as arith from '../src/query/arithmetic.js';
import { formatDouble } from '../src/query/conversionExpressions.js';
import * as dec from '../src/query/decimal.js';
import * as n from '../src/query/numeric.js';
import * as sums from '../src/query/summation.js';
import { typeAlias, typeMatcher } from '../src/query/typeNames.js';
import { compareAgg, truthy } from '../src/query/values.js';

const L = (s: string) => Long.fromString(s);
const D = (s: string) => Decimal128.fromString(s);
const show = (v: unknown): string => `${n.numKind(v)}(${String(v)})`;
const d = (s: string) => dec.decode(D(s));
const str = (x: dec.Dec) => dec.encode(x).toString();

describe('decimal128 arithmetic', () => {
  it('converts doubles to 15 digits like mongod’s Decimal128(double) (its unit-test vectors)', () => {
    const cases: [number, string][] = [
      [0.1 / 10, '0.0100000000000000'],
      [0.1 / 10000, '0.0000100000000000000'],
      [0.1 / 1000 / 1000 / 1000 / 1000 / 1000 / 1000, '1.00000000000000E-19'],
      [0.01 * 1000 * 1000 * 1000 * 1000 * 1000 * 1000, '1.00000000000000E+16'],
      [0.0127, '0.0127000000000000'],
      [1234567890.12709, '1234567890.12709'],
      [724.8799725651578, '724.879972565158'],
      [-0.09645061728395, '-0.0964506172839500'],
      [2 ** 1000, '1.07150860718627E+301'],
      [1, '1.00000000000000'],
      [-Number.MAX_VALUE, '-1.79769313486232E+308'],
      [2.2250738585072014e-308, '2.22507385850720E-308'],
    ];
    for (const [x, want] of cases) expect(str(dec.fromDouble(x))).toBe(want);
    expect(str(dec.fromDouble(0.1, 34))).toBe('0.1000000000000000055511151231257827');
    expect(str(dec.fromDouble(0.5, 34))).toBe('0.5');
  });

  it('adds, multiplies and divides exactly with IEEE exponents and half-even rounding', () => {
    expect(str(dec.add(d('1.50'), dec.fromBigInt(1n)))).toBe('2.50');
    expect(str(dec.add(d('0.1'), d('0.2')))).toBe('0.3');
    expect(str(dec.multiply(d('1.5'), d('2.0')))).toBe('3.00');
    expect(str(dec.divide(d('1'), d('3')))).toBe('0.3333333333333333333333333333333333');
    expect(str(dec.divide(d('2'), d('3')))).toBe('0.6666666666666666666666666666666667');
    expect(str(dec.divide(d('1'), d('4')))).toBe('0.25');
    expect(str(dec.divide(d('1.00'), d('2')))).toBe('0.50');
    expect(str(dec.modulo(d('10.5'), d('3')))).toBe('1.5');
    expect(str(dec.add(d('9999999999999999999999999999999999'), d('1')))).toBe(
      '1.000000000000000000000000000000000E+34',
    );
    // Half to even at the 34th digit.
    expect(str(dec.add(d('1000000000000000000000000000000000'), d('0.5')))).toBe(
      '1000000000000000000000000000000000',
    );
    expect(str(dec.add(d('1000000000000000000000000000000001'), d('0.5')))).toBe(
      '1000000000000000000000000000000002',
    );
    expect(str(dec.add(d('-0'), d('0')))).toBe('0');
    expect(str(dec.add(d('Infinity'), d('-Infinity')))).toBe('NaN');
    expect(str(dec.quantize(d('2.789'), -2, 'down'))).toBe('2.78');
    expect(str(dec.quantize(d('-2.5'), 0, 'even'))).toBe('-2');
    expect(str(dec.quantize(d('-2.1'), 0, 'floor'))).toBe('-3');
  });

  it('round-trips the BID encoding', () => {
    for (const s of [
      '0',
      '-0',
      '1.50',
      '9999999999999999999999999999999999',
      '1E+6144',
      '1E-6176',
      'NaN',
      '-Infinity',
    ])
      expect(dec.encode(d(s)).toString()).toBe(D(s).toString());
  });
});

describe('typed numbers', () => {
  it('reads the stored-document convention', () => {
    expect([5, -0, 5.5, 2 ** 31, new Double(5), L('5'), D('5'), new Int32(5), 'x'].map(n.numKind)).toEqual([
      'int',
      'double',
      'double',
      'double',
      'double',
      'long',
      'decimal',
      'int',
      undefined,
    ]);
    expect(n.makeDouble(5)).toBeInstanceOf(Double);
    expect(n.makeDouble(5.5)).toBe(5.5);
    expect(show(n.intOrLong(2147483648n))).toBe('long(2147483648)');
  });

  it('applies $inc / $mul like mongod’s SafeNum', () => {
    expect(show(n.safeArith('+', 1, 2147483647))).toBe('long(2147483648)');
    expect(show(n.safeArith('*', -5, 0))).toBe('int(0)');
    expect(show(n.safeArith('*', 2147483647, 2147483647))).toBe('long(4611686014132420609)');
    expect(show(n.safeArith('+', -0, 0))).toBe('double(0)');
    expect(show(n.safeArith('+', 1, L('9007199254740993')))).toBe('long(9007199254740994)');
    expect(n.safeArith('+', 1, L('9223372036854775807'))).toBeUndefined();
    expect(n.safeArith('*', L('2'), L('-4611686018427387905'))).toBeUndefined();
    expect(show(n.safeArith('*', L('2'), L('-4611686018427387904')))).toBe('long(-9223372036854775808)');
    expect(show(n.safeArith('+', 0.5, 5))).toBe('double(5.5)');
    expect(show(n.safeArith('+', D('0.2'), D('0.1')))).toBe('decimal(0.3)');
    expect(show(n.safeArith('*', D('1.50'), 0))).toBe('decimal(0.00)');
    expect(n.debugString(L('9223372036854775807'))).toBe('(NumberLong)9223372036854775807');
  });

  it('sums like mongod: exact Longs, int overflow to Long, Long overflow to double, decimals exactly', () => {
    const sum = (...vs: unknown[]) => {
      const s = new sums.Summer();
      for (const v of vs) s.add(v);
      return show(s.value());
    };
    expect(sum(L('9007199254740993'), L('1'), 'ignored', null)).toBe('long(9007199254740994)');
    expect(sum(2147483647, 1)).toBe('long(2147483648)');
    expect(sum(1, 2)).toBe('int(3)');
    expect(sum(L('9223372036854775807'), 1)).toBe(`double(${2 ** 63})`);
    expect(sum(L('9223372036854775807'), 1, -1)).toBe('long(9223372036854775807)');
    expect(sum(0.1, 0.2, 0.3)).toBe(`double(${0.6})`);
    expect(sum(D('0.1'), D('0.2'), 1)).toBe('decimal(1.3)');
    expect(sum()).toBe('int(0)');
    expect(show(sums.constantSum(1, 3))).toBe('int(3)');
    expect(show(sums.constantSum(2147483647, 2))).toBe('long(4294967294)');
  });

  it('adds and multiplies in the narrowest type, widening on overflow', () => {
    const add = (...vs: unknown[]) => {
      const a = new arith.Adder();
      for (const v of vs) a.add(v);
      return show(a.value());
    };
    expect(add(L('9007199254740993'), 1)).toBe('long(9007199254740994)');
    expect(add(2147483647, 1)).toBe('long(2147483648)');
    expect(add(L('9223372036854775807'), 1)).toBe(`double(${2 ** 63})`);
    expect(add(D('1.50'), 1)).toBe('decimal(2.50)');
    expect(add(0.5, D('1'))).toBe('decimal(1.5)');
    const mul = (...vs: unknown[]) => {
      const m = new arith.Multiplier();
      for (const v of vs) m.mul(v);
      return show(m.value());
    };
    expect(mul(65536, 65536)).toBe('long(4294967296)');
    expect(mul(L('4611686018427387904'), 4)).toBe('double(18446744073709552000)');
    expect(mul(2, 2.5)).toBe('double(5)');
    expect(show(arith.subtract(L('9007199254740993'), 1))).toBe('long(9007199254740992)');
    // The plain-number fast path agrees with the general one.
    expect(show(arith.plainArithmetic('+', [1, 2]))).toBe('int(3)');
    expect(show(arith.plainArithmetic('+', [2147483647, 1]))).toBe('long(2147483648)');
    expect(show(arith.plainArithmetic('*', [65536, 65536]))).toBe('long(4294967296)');
    expect(show(arith.plainArithmetic('*', [2.5, 2]))).toBe('double(5)');
    expect(arith.plainArithmetic('*', [2 ** 26, 2 ** 26, 2 ** 2])).toBeUndefined();
    expect(arith.plainArithmetic('+', [1, L('1')])).toBeUndefined();
    expect(show(arith.divide(7, 2))).toBe('double(3.5)');
    expect(show(arith.mod(L('-7'), 3))).toBe('long(-1)');
    expect(show(arith.roundOrTrunc(2.5, 0, 'even', '$round'))).toBe('double(2)');
    expect(show(arith.roundOrTrunc(1234, -2, 'even', '$round'))).toBe('int(1200)');
    expect(show(arith.power(2, 31))).toBe('long(2147483648)');
    expect(show(arith.power(2, 64))).toBe(`double(${2 ** 64})`);
  });
});

describe('type names, comparison and truthiness', () => {
  it('names types like mongod', () => {
    expect([5, 5.5, L('1'), D('1'), 'a', null, undefined, [], {}, new Date(0), true].map(typeAlias)).toEqual([
      'int',
      'double',
      'long',
      'decimal',
      'string',
      'null',
      'missing',
      'array',
      'object',
      'date',
      'bool',
    ]);
    const number = typeMatcher('number');
    expect(['int', 'long', 'double', 'decimal', 'string'].map(number)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(() => typeMatcher('integer')).toThrow(/Unknown type name alias/);
  });

  it('compares across types by value, missing below null, and treats every numeric zero as false', () => {
    expect(compareAgg(L('9007199254740993'), 9007199254740992)).toBe(1);
    expect(compareAgg(D('0.1'), 0.1)).toBe(-1);
    expect(compareAgg(undefined, null)).toBe(-1);
    expect(compareAgg({ a: 1 }, { b: 'x' })).toBe(-1); // type before field name
    expect([0, L('0'), D('0.00'), new Double(0), Number.NaN, '', null].map(truthy)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      false,
    ]);
  });

  it('prints doubles for $toString like mongod (C %g)', () => {
    const out = [2.5, 1 / 3, 1234567, 100000, 1e6, 1e-5, 0.0001, -0, 123.456789, 1e21].map(formatDouble);
    expect(out).toEqual([
      '2.5',
      '0.333333',
      '1.23457e+06',
      '100000',
      '1e+06',
      '1e-05',
      '0.0001',
      '-0',
      '123.457',
      '1e+21',
    ]);
  });

  it('keys equal values alike for grouping, but not for no-op detection', () => {
    expect(keyOf(L('5'))).toBe(keyOf(new Double(5)));
    expect(identityKey({ a: L('5') })).not.toBe(identityKey({ a: 5 }));
    expect(identityKey(new Double(5))).not.toBe(identityKey(5));
    expect(identityKey(new Double(5))).toBe(identityKey(new Double(5)));
    expect(identityKey([5, 'x'])).toBe(identityKey([5, 'x']));
  });
});
