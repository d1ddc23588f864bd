/**
 * BSON type names as mongod reports and matches them (`$type` in queries and in expressions), from the
 * stored-document convention (numeric.ts): a JS integer in int32 range is an "int", other JS numbers and
 * `Double` are "double", `Long` is "long", `Decimal128` is "decimal".
 */
import { fail } from '../errors.js';
import { doubleOf, numKind } from './numeric.js';

const CODES: Record<string, number> = {
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  dbPointer: 12,
  javascript: 13,
  symbol: 14,
  javascriptWithScope: 15,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
};

const BY_BSONTYPE: Record<string, string> = {
  ObjectId: 'objectId',
  Binary: 'binData',
  Timestamp: 'timestamp',
  BSONRegExp: 'regex',
  MinKey: 'minKey',
  MaxKey: 'maxKey',
  BSONSymbol: 'symbol',
  DBRef: 'object',
};

/** mongod's type alias of a value ("missing" for undefined, as the `$type` expression answers). */
export function typeAlias(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  const k = numKind(v);
  if (k !== undefined) return k;
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'object':
      break;
    default:
      return 'javascript';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (ArrayBuffer.isView(v)) return 'binData';
  const t = (v as { _bsontype?: string; scope?: unknown })._bsontype;
  if (t === undefined) return 'object';
  if (t === 'Code') return (v as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
  return BY_BSONTYPE[t] ?? 'object';
}

/**
 * A predicate for the `$type` query operator's argument (aliases, codes, "number", or a list of them).
 * Unknown names answer BadValue like mongod.
 */
export function typeMatcher(spec: unknown): (alias: string) => boolean {
  const wanted = new Set<string>();
  for (const t of Array.isArray(spec) ? spec : [spec]) {
    if (t === 'number') {
      for (const n of ['int', 'long', 'double', 'decimal']) wanted.add(n);
      continue;
    }
    if (typeof t === 'string') {
      if (!(t in CODES)) fail('BadValue', `Unknown type name alias: ${t}`);
      wanted.add(t);
      continue;
    }
    const n = numKind(t) !== undefined ? doubleOf(t) : Number.NaN;
    const alias = Object.keys(CODES).find((k) => CODES[k] === n);
    if (alias === undefined) fail('BadValue', `Invalid numerical type code: ${String(t)}`);
    wanted.add(alias);
  }
  return (alias) => wanted.has(alias);
}
