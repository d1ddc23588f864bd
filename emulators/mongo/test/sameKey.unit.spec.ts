import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identityKey, keyOf, sameKey } from '../src/bsonUtil.js';

/** BSON-ish values: the leaves the emulator stores, in documents and arrays. */
const leaf = fc.oneof(
  fc.constantFrom(null, undefined, 0, -0, 1, 1.5, Number.NaN, '', 'a', true, false),
  fc.integer({ min: -3, max: 3 }),
  fc.integer({ min: -3, max: 3 }).map((n) => new Long(n)),
  fc.integer({ min: -3, max: 3 }).map((n) => new Int32(n)),
  fc.integer({ min: -3, max: 3 }).map((n) => new Double(n)),
  fc.constantFrom('1', '1.0', '-0').map((s) => Decimal128.fromString(s)),
  fc.constant(new ObjectId('665f1c2e8a1b2c3d4e5f6a7b')),
  fc.constant(new Date(0)),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('doc')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  doc: fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
}));

describe('sameKey', () => {
  it('agrees with comparing identityKey (typed) and keyOf (by value) for any two values', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameKey(a, b)).toBe(identityKey(a) === identityKey(b));
        expect(sameKey(a, b, false)).toBe(keyOf(a) === keyOf(b));
        expect(sameKey(a, a)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('tells field order and number types apart like identityKey', () => {
    expect(sameKey({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameKey(1, 1.5)).toBe(false);
    expect(sameKey(0, -0)).toBe(false);
    expect(sameKey(0, -0, false)).toBe(true);
    expect(sameKey(new Long(1), 1)).toBe(false);
    expect(sameKey(new Long(1), 1, false)).toBe(true);
  });
});
