import { Binary, BSON, type Document, Double } from 'bson';
import { compareNumbers, exactDouble, numberKey } from './numbers.js';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

type Tagged = { _bsontype?: string };

export function bsonType(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? (v as Tagged)._bsontype : undefined;
}

/**
 * Deserialises without losing numeric types, then unwraps the wrappers that round-trip as plain JS numbers
 * (Int32 always; Double unless it is an integer in int32 range, which would come back as int32).
 * Long, Decimal128 and integral Doubles stay wrapped so the stored document re-serialises byte-identical.
 */
export function deserialize(buf: Uint8Array): Document {
  // bsonRegExp keeps regex options JS cannot express (e.g. `x`) byte-exact in stored documents.
  return normalize(
    BSON.deserialize(buf, { promoteValues: false, promoteBuffers: false, bsonRegExp: true }),
  ) as Document;
}

export function normalize(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = normalize(v[i]);
    return v;
  }
  const t = (v as Tagged)._bsontype;
  if (t !== undefined) {
    if (t === 'Int32') return (v as { value: number }).value;
    if (t === 'Double') {
      const n = (v as Double).value;
      if (Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX && !Object.is(n, -0)) return v;
      return n;
    }
    return v;
  }
  if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v)) return v;
  const o = v as Record<string, unknown>;
  for (const k in o) o[k] = normalize(o[k]);
  return o;
}

export function serialize(doc: Document): Buffer {
  return BSON.serialize(doc) as Buffer;
}

/** Numeric value of any BSON number, or undefined if v is not a number. */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const t = bsonType(v);
  if (t === 'Double' || t === 'Int32') return (v as { value: number }).value;
  if (t === 'Long') return (v as { toNumber(): number }).toNumber();
  if (t === 'Decimal128') return Number((v as object).toString());
  return undefined;
}

export function isNumeric(v: unknown): boolean {
  return numberOf(v) !== undefined;
}

/**
 * A Binary whose toString() is exact (mingo compares custom objects by toString(), and Binary's default is a
 * lossy UTF-8 decoding under which different UUIDs can look equal). Still a Binary for the serializer.
 */
class ExactBinary extends Binary {
  override toString(encoding?: 'hex' | 'base64' | 'utf8' | 'utf-8'): string {
    return encoding ? super.toString(encoding) : `${this.sub_type}:${super.toString('base64')}`;
  }
}

/** True when the value holds BSON values mingo cannot compare correctly as they are (numbers, binaries). */
export function hasWrappedNumbers(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const t = (v as Tagged)._bsontype;
  if (t !== undefined)
    return t === 'Long' || t === 'Double' || t === 'Decimal128' || t === 'Int32' || t === 'Binary';
  if (Array.isArray(v)) return v.some(hasWrappedNumbers);
  if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v)) return false;
  for (const k in v as Record<string, unknown>)
    if (hasWrappedNumbers((v as Record<string, unknown>)[k])) return true;
  return false;
}

/** True when the value holds a Binary or BSONRegExp, which mingo cannot use as they are. */
function hasOpaqueValues(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const t = (v as Tagged)._bsontype;
  if (t !== undefined) return (t === 'Binary' && !(v instanceof ExactBinary)) || t === 'BSONRegExp';
  if (Array.isArray(v)) return v.some(hasOpaqueValues);
  if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v)) return false;
  for (const k in v as Record<string, unknown>)
    if (hasOpaqueValues((v as Record<string, unknown>)[k])) return true;
  return false;
}

/**
 * What the typed operators (query/queryOps.ts, query/expressions.ts) see: numbers keep their BSON types,
 * binaries compare exactly and BSON regexes are JS RegExps. The value itself when there is nothing to convert.
 */
export function toTypedView(v: unknown): unknown {
  return hasOpaqueValues(v) ? viewOf(v, 'typed') : v;
}

/** Set by toExactView when it kept a wrapper (a number no double equals). */
let keptWrapper = false;

/**
 * What mingo's own query operators see: numeric wrappers as plain numbers, except that a Long or
 * Decimal128 no double equals exactly (Long beyond 2^53, Decimal128('0.1')) stays the wrapper; `inexact`
 * tells whether it kept any (such documents are then matched on their typed view, see query/match.ts).
 */
export function toExactView(v: unknown): { view: unknown; inexact: boolean } {
  keptWrapper = false;
  const view = viewOf(v, 'exact');
  const inexact = keptWrapper;
  keptWrapper = false;
  return { view, inexact };
}

function viewOf(v: unknown, mode: 'exact' | 'typed'): unknown {
  if (v === null || typeof v !== 'object') return v;
  const t = (v as Tagged)._bsontype;
  if (t !== undefined) {
    if (t === 'BSONRegExp') return toRegExp(v as { pattern: string; options: string });
    if (t === 'Binary' && !(v instanceof ExactBinary)) {
      const b = v as Binary;
      return new ExactBinary(b.buffer.subarray(0, b.position), b.sub_type);
    }
    if (mode === 'typed') return v;
    if (t === 'Double' || t === 'Int32') return (v as { value: number }).value;
    if (t === 'Long' || t === 'Decimal128') {
      const d = exactDouble(v);
      if (d !== undefined) return d;
      keptWrapper = true;
      return v;
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((e) => viewOf(e, mode));
  if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) out[k] = viewOf((v as Record<string, unknown>)[k], mode);
  return out;
}

/** A JS RegExp for a BSON regex (the `x` option is emulated by removing whitespace from the pattern). */
export function toRegExp(r: { pattern: string; options: string }): RegExp {
  // Escaped characters stay; unescaped whitespace and #-comments go.
  const pattern = r.options.includes('x')
    ? r.pattern.replace(/\\.|#[^\n]*|\s+/g, (m) => (m.startsWith('\\') ? m : ''))
    : r.pattern;
  const flags = [...r.options].filter((f) => 'imsu'.includes(f)).join('');
  return new RegExp(pattern, flags);
}

/** Deep copy of plain objects/arrays; BSON values (immutable in practice) are shared. */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  if ((v as Tagged)._bsontype !== undefined || v instanceof RegExp || ArrayBuffer.isView(v)) return v;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) out[k] = clone((v as Record<string, unknown>)[k]);
  return out as T;
}

export function isPlainObject(v: unknown): v is Document {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    (v as Tagged)._bsontype === undefined &&
    !(v instanceof Date) &&
    !(v instanceof RegExp) &&
    !ArrayBuffer.isView(v)
  );
}

// BSON canonical type order used by sort and comparisons (MinKey < null < numbers < string < object < array < ...).
function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  switch (typeof v) {
    case 'number':
      return 2;
    case 'string':
      return 3;
    case 'boolean':
      return 8;
    case 'bigint':
      return 2;
  }
  const t = bsonType(v);
  if (t !== undefined) {
    switch (t) {
      case 'MinKey':
        return 0;
      case 'MaxKey':
        return 99;
      case 'Int32':
      case 'Double':
      case 'Long':
      case 'Decimal128':
        return 2;
      case 'BSONSymbol':
        return 3;
      case 'Binary':
        return 6;
      case 'ObjectId':
        return 7;
      case 'Timestamp':
        return 10;
      case 'BSONRegExp':
        return 11;
      default:
        return 12;
    }
  }
  if (Array.isArray(v)) return 5;
  if (v instanceof Date) return 9;
  if (v instanceof RegExp) return 11;
  if (ArrayBuffer.isView(v)) return 6;
  return 4;
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 2: {
      if (typeof a === 'number' && typeof b === 'number') {
        if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
        if (Number.isNaN(b)) return 1;
        return a < b ? -1 : a > b ? 1 : 0;
      }
      // Long beyond 2^53 and Decimal128 compare exactly (BigInt / decimal arithmetic), see numbers.ts.
      return compareNumbers(a, b);
    }
    case 3: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 4: {
      const ka = Object.keys(a as object);
      const kb = Object.keys(b as object);
      // Element by element like mongod's BSONObj::woCompare: type, then field name, then value.
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const x = (a as Document)[ka[i]!];
        const y = (b as Document)[kb[i]!];
        const rx = typeRank(x);
        const ry = typeRank(y);
        if (rx !== ry) return rx < ry ? -1 : 1;
        if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
        const c = compareValues(x, y);
        if (c !== 0) return c;
      }
      return ka.length - kb.length;
    }
    case 5: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 6:
    case 7:
    case 11:
    case 12:
      return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
    case 8:
      return a === b ? 0 : a ? 1 : -1;
    case 9:
      return (a as Date).getTime() - (b as Date).getTime();
    case 10: {
      const x = a as { t: number; i: number };
      const y = b as { t: number; i: number };
      return x.t !== y.t ? x.t - y.t : x.i - y.i;
    }
    default:
      return 0;
  }
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0 && typeRank(a) === typeRank(b) && keyOf(a) === keyOf(b);
}

/**
 * Canonical string for a value, equal for values mongod considers equal in an index
 * (1, 1.0, Long(1) and Decimal128('1') share a key; null and missing share a key).
 */
export function keyOf(v: unknown): string {
  return key(v, false);
}

/**
 * Like keyOf, but numbers of different BSON types differ (int32 5, Long 5 and double 5 are not identical):
 * an update that changes nothing by this measure is a no-op, as mongod decides (SafeNum::isIdentical).
 */
export function identityKey(v: unknown): string {
  return key(v, true);
}

/**
 * `identityKey(a) === identityKey(b)` (or `keyOf`'s equality with `types` false) without building the
 * keys: documents and arrays are compared member by member and the walk stops at the first difference,
 * so telling a changed document from an unchanged one costs little even when it holds a long array.
 */
export function sameKey(a: unknown, b: unknown, types = true): boolean {
  if (a === b && (typeof a !== 'number' || Object.is(a, b))) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameKey(a[i], b[i], types)) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] !== kb[i] || !sameKey(a[ka[i]!], b[kb[i]!], types)) return false;
    }
    return true;
  }
  return key(a, types) === key(b, types);
}

function key(v: unknown, types: boolean): string {
  if (v === undefined || v === null) return 'z';
  switch (typeof v) {
    case 'number':
      if (types) return (v | 0) === v && !Object.is(v, -0) ? `i${v}` : `f${v}`;
      return `n${Object.is(v, -0) ? 0 : v}`;
    case 'string':
      return `s${v}`;
    case 'boolean':
      return v ? 'bt' : 'bf';
    case 'bigint':
      return types ? `l${v}` : numberKey(v);
  }
  const t = bsonType(v);
  if (t !== undefined) {
    switch (t) {
      case 'Int32':
      case 'Double':
        if (types) return `${t === 'Int32' ? 'i' : 'f'}${(v as { value: number }).value}`;
        return `n${(v as { value: number }).value}`;
      case 'Long':
        // The raw words: cheaper than printing the value, and equal for identical values.
        if (types) return `l${(v as { high: number }).high}:${(v as { low: number }).low}`;
        return numberKey(v);
      case 'Decimal128':
        if (types) return `m${(v as { bytes: Uint8Array }).bytes.join(',')}`;
        return numberKey(v);
      case 'ObjectId':
        return `o${(v as { toHexString(): string }).toHexString()}`;
      case 'Binary': {
        const b = v as { sub_type: number; toString(enc: string): string };
        return `x${b.sub_type}:${b.toString('base64')}`;
      }
      case 'Timestamp':
        return `t${String(v)}`;
      default:
        return `${t}:${JSON.stringify(v)}`;
    }
  }
  if (v instanceof Date) return `d${v.getTime()}`;
  if (v instanceof RegExp) return `r${v.source}/${v.flags}`;
  if (Array.isArray(v)) return `[${v.map((e) => key(e, types)).join(',')}]`;
  if (ArrayBuffer.isView(v))
    return `x0:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`;
  const o = v as Document;
  let s = '{';
  for (const k in o) s += `${JSON.stringify(k)}:${key(o[k], types)},`;
  return `${s}}`;
}

export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Document)[part];
  }
  return cur;
}

/**
 * All values reachable through a dotted path, expanding arrays on the way the way mongod's index keys do
 * (`a.b` over `{a: [{b: 1}, {b: 2}]}` gives 1 and 2; a terminal array gives its elements).
 */
export function pathValues(doc: unknown, path: string): unknown[] {
  const parts = path.split('.');
  const out: unknown[] = [];
  const walk = (cur: unknown, i: number): void => {
    if (i === parts.length) {
      if (Array.isArray(cur)) {
        if (cur.length === 0) out.push(undefined);
        else for (const e of cur) out.push(e);
      } else out.push(cur);
      return;
    }
    if (cur === null || typeof cur !== 'object') {
      out.push(undefined);
      return;
    }
    if (Array.isArray(cur)) {
      const key = parts[i]!;
      if (/^\d+$/.test(key)) {
        walk(cur[Number(key)], i + 1);
        return;
      }
      if (cur.length === 0) out.push(undefined);
      for (const e of cur) walk(e, i);
      return;
    }
    walk((cur as Document)[parts[i]!], i + 1);
  };
  walk(doc, 0);
  return out;
}

export function hasPath(doc: unknown, path: string): boolean {
  const parts = path.split('.');
  const walk = (cur: unknown, i: number): boolean => {
    if (i === parts.length) return true;
    if (cur === null || typeof cur !== 'object') return false;
    if (Array.isArray(cur) && !/^\d+$/.test(parts[i]!)) return cur.some((e) => walk(e, i));
    const o = cur as Document;
    return parts[i]! in o && walk(o[parts[i]!], i + 1);
  };
  return walk(doc, 0);
}

export { Double };
