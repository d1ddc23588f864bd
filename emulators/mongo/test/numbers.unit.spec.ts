import { Decimal128, Double, Int32, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { compareValues, keyOf } from '../src/bsonUtil.js';
import { compareExact, compareNumbers, exactDouble, exactOfDouble, numberKey } from '../src/numbers.js';

const L = (s: string) => Long.fromString(s);
const D = (s: string) => Decimal128.fromString(s);

describe('exact numbers', () => {
  it('expands doubles exactly', () => {
    const e = exactOfDouble(0.1);
    expect(`${e.coef}e${e.exp}`).toBe('1000000000000000055511151231257827021181583404541015625e-55');
    expect(exactOfDouble(2 ** 60).coef).toBe(1152921504606846976n);
    expect(exactOfDouble(5e-324).exp).toBe(-1074);
    expect(compareExact(exactOfDouble(-0), exactOfDouble(0))).toBe(0);
  });

  it('compares across types by value', () => {
    expect(compareNumbers(L('9007199254740993'), L('9007199254740992'))).toBe(1);
    expect(compareNumbers(9007199254740992, L('9007199254740993'))).toBe(-1);
    expect(compareNumbers(9007199254740992, L('9007199254740992'))).toBe(0);
    expect(compareNumbers(D('0.1'), 0.1)).toBe(-1);
    expect(compareNumbers(D('0.1000000000000000055511151231257827'), 0.1)).toBe(-1); // 34 digits: just below
    expect(compareNumbers(D('1E+400'), Number.MAX_VALUE)).toBe(1);
    expect(compareNumbers(D('-1E+400'), -Number.MAX_VALUE)).toBe(-1);
    expect(compareNumbers(D('Infinity'), Number.POSITIVE_INFINITY)).toBe(0);
    expect(compareNumbers(D('-Infinity'), L('-9223372036854775808'))).toBe(-1);
    expect(compareNumbers(D('NaN'), Number.NaN)).toBe(0);
    expect(compareNumbers(D('NaN'), D('-Infinity'))).toBe(-1);
    expect(compareNumbers(D('-0.00'), 0)).toBe(0);
    expect(compareNumbers(D('1.50'), new Double(1.5))).toBe(0);
    expect(
      compareNumbers(D('123456789012345678901234567890123E-2'), D('1234567890123456789012345678901.24')),
    ).toBe(-1);
    expect(compareValues(new Int32(3), D('3.000000000000000000000000000000001'))).toBe(-1);
  });

  it('gives one key per value: the double when one is equal, the exact form otherwise', () => {
    expect(numberKey(L('9007199254740992'))).toBe(keyOf(9007199254740992));
    expect(numberKey(L('9007199254740993'))).not.toBe(keyOf(9007199254740992));
    expect(keyOf(L('9007199254740993'))).toBe(keyOf(D('9007199254740993.000')));
    expect(keyOf(D('0.1'))).toBe(keyOf(D('0.10')));
    expect(keyOf(D('0.1'))).not.toBe(keyOf(0.1));
    expect(keyOf(D('0.5'))).toBe(keyOf(0.5));
    expect(keyOf(D('1E+23'))).not.toBe(keyOf(1e23)); // 1e23 is not exactly 10^23
    expect(keyOf(D('1E+22'))).toBe(keyOf(1e22));
    expect(keyOf(D('NaN'))).toBe(keyOf(Number.NaN));
    expect(keyOf(L('-9223372036854775808'))).toBe(keyOf(-(2 ** 63)));
    expect(exactDouble(L('9223372036854775807'))).toBeUndefined();
  });
});
