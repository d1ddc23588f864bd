import fc from 'fast-check';

/** Keys Mongo reads as operators or paths, and keys that reach prototypes in careless merges. */
export const OPERATOR_KEYS = ['$gt', '$ne', '$in', '$where', '$regex', '$expr', '$function', '$set', '$'];
export const PATH_KEYS = ['a.b', '.', 'price.amount', '$.x', 'x.$'];
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
/** The field the CSRF plugin reads from a body before the header. */
export const PLUGIN_KEYS = ['_csrf'];

/** An object with an own property of any name (a literal `{ __proto__: x }` would set the prototype). */
export function withKey(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  const copy = { ...target };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const hostileKey = fc.oneof(
  fc.constantFrom(...OPERATOR_KEYS, ...PATH_KEYS, ...PROTO_KEYS, ...PLUGIN_KEYS),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/** Text that breaks naive code: lone surrogates, RTL overrides, NUL, escapes, and very long strings. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\uD800',
    'a\uDFFFb',
    '\uDBFF\uDFFF',
    '\u202Eevil\u202C',
    '\u200F\u0627\u0644\u0633\u0644\u0627\u0645',
    '\u0000',
    'a\u0000b',
    '\uFEFF',
    '\r\n\tx',
    '%00',
    '%E0%A4%A',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "'; db.dropDatabase(); '",
    '{"$gt":""}',
    'o_',
    'NaN',
    '-0',
    '1e309',
    '0x10',
    'true',
    'null',
    '__proto__',
    'constructor',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  // Long: past every maxLength, and (the largest) near the 1 MB body limit.
  fc.constantFrom(2_001, 10_000, 100_000, 900_000).map((length) => 'x'.repeat(length)),
  fc.constantFrom(5_000, 60_000).map((length) => '\u{1F600}\u0301'.repeat(length / 3)),
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    1e21,
    2 ** 31,
    2 ** 53 + 2,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
  ),
  fc.double(),
  fc.integer(),
);

/** `{ "$gt": "" }`, `{ "$where": … }`, dotted keys, `__proto__` payloads, in the shapes queries take. */
export const operatorObject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom<Record<string, unknown>>(
    { $gt: '' },
    { $ne: null },
    { $in: ['a', 'b'] },
    { $where: 'sleep(1000) || true' },
    { $regex: '.*' },
    { $expr: { $eq: [1, 1] } },
    { $function: { body: 'function () { return true }', args: [], lang: 'js' } },
    { 'a.b': 1 },
    { $set: { roles: ['admin'] } },
  ),
  fc.tuple(hostileKey, fc.jsonValue({ maxDepth: 1 })).map(([key, value]) => withKey({}, key, value)),
  fc
    .tuple(
      fc.constantFrom(...PROTO_KEYS),
      fc.constantFrom<unknown>({ polluted: true }, { prototype: { polluted: true } }),
    )
    .map(([key, value]) => withKey({}, key, value)),
);

/** Any value of the wrong kind for a field: the suite's replacement for what a schema asks. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: operatorObject, weight: 3 },
  fc.constantFrom<unknown>(true, false, null, [], {}, [null], [{ $gt: '' }]),
  fc.array(hostileString, { maxLength: 5 }),
  fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }),
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Invalid versions of a valid value: one field replaced by a hostile value (at any depth), a field
 * dropped, an extra hostile key added, or the whole value replaced.
 */
export function mutationOf(valid: unknown, depth = 0): fc.Arbitrary<unknown> {
  if (!isRecord(valid) || Object.keys(valid).length === 0 || depth > 3)
    return fc.oneof(
      hostileValue,
      fc.tuple(hostileKey, hostileValue).map(([key, value]) => withKey({}, key, value)),
    );
  const keys = Object.keys(valid);
  const key = fc.constantFrom(...keys);
  return fc.oneof(
    { arbitrary: fc.tuple(key, hostileValue).map(([name, value]) => withKey(valid, name, value)), weight: 4 },
    {
      arbitrary: key.chain((name) =>
        mutationOf(valid[name], depth + 1).map((value) => withKey(valid, name, value)),
      ),
      weight: 2,
    },
    {
      arbitrary: key.map((name) => {
        const { [name]: _dropped, ...rest } = valid;
        return rest;
      }),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(hostileKey, hostileValue).map(([name, value]) => withKey(valid, name, value)),
      weight: 2,
    },
    { arbitrary: hostileValue, weight: 1 },
  );
}
