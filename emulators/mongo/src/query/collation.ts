/**
 * Collations (https://www.mongodb.com/docs/manual/reference/collation/): locale, strength, caseLevel,
 * caseFirst, numericOrdering, alternate, carried by `Intl.Collator` (ICU, like mongod's). A command's
 * collation, or else its collection's default, decides how strings compare in filters, sorts, `$group` keys,
 * `distinct`, and the keys of an index created with one. Parsing and its errors follow mongod's
 * CollatorFactoryICU::makeFromBSON. `{locale: 'simple'}` (or none) is binary comparison: the ordinary code
 * paths, untouched. Collated reads scan the collection (the hash indexes hold binary keys).
 */
import type { Document } from 'bson';
import { Context } from 'mingo/core';
import { ensureArray, flatten, isNil, isRegExp, isString, resolve } from 'mingo/util';
import { bsonType, compareValues, isPlainObject, keyOf } from '../bsonUtil.js';
import { fail } from '../errors.js';
import type { Collection } from '../storage/collection.js';
import type { Store } from '../store.js';
import { registerCollator, type ValueCollator } from './collator.js';
import { typedContext, typedOptions } from './context.js';
import { evalArgs, type Options } from './evaluate.js';
import { compileFilter, type Predicate, typedView } from './match.js';
import { EXACT_QUERY_OPERATORS, eqValue } from './queryOps.js';
import { compareAgg } from './values.js';

/** The full spec mongod reports (listIndexes, listCollections) for a collation, defaults filled in. */
export interface CollationSpec extends Document {
  locale: string;
  caseLevel: boolean;
  caseFirst: 'upper' | 'lower' | 'off';
  strength: number;
  numericOrdering: boolean;
  alternate: 'non-ignorable' | 'shifted';
  maxVariable: 'punct' | 'space';
  normalization: boolean;
  backwards: boolean;
  version: string;
}

/** mongod 7.0's ICU version, reported in every collation spec. */
const ICU_VERSION = '57.1';
const FIELDS = new Set([
  'locale',
  'caseLevel',
  'caseFirst',
  'strength',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'normalization',
  'backwards',
  'version',
]);

/** BSONObj::toString, for the flat documents a collation spec is. */
function show(spec: Document): string {
  const parts = Object.entries(spec).map(
    ([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`,
  );
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}

function typeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = bsonType(v);
  if (t === 'Long') return 'long';
  if (t === 'Int32') return 'int';
  if (t === 'Double') return 'double';
  if (t === 'Decimal128') return 'decimal';
  return isPlainObject(v) ? 'object' : typeof v;
}

function boolField(spec: Document, field: string, dflt: boolean): boolean {
  const v = spec[field];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean')
    fail('TypeMismatch', `"${field}" had the wrong type. Expected bool, found ${typeName(v)}`);
  return v;
}

function stringField(spec: Document, field: string): string | undefined {
  const v = spec[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    fail('TypeMismatch', `"${field}" had the wrong type. Expected string, found ${typeName(v)}`);
  return v;
}

function oneOf<T extends string>(spec: Document, field: string, values: T[], dflt: T): T {
  const v = stringField(spec, field);
  if (v === undefined) return dflt;
  if (!values.includes(v as T)) {
    const list =
      values.length === 2
        ? `'${values[0]}' or '${values[1]}'`
        : `'${values.slice(0, -1).join("', '")}', or '${values.at(-1)}'`;
    fail('FailedToParse', `Field '${field}' must be ${list}. Got: ${v}`);
  }
  return v as T;
}

/** An ICU locale id as mongod accepts it (`en`, `en_US`, `zh_Hant`, `de@collation=phonebook`, `root`). */
function bcp47(locale: string): string | undefined {
  if (locale === 'root') return 'und';
  const m = /^([a-z]{2,3})(?:_([A-Z][a-z]{3}))?(?:_([A-Z]{2}|\d{3}))?(?:@collation=([a-z]+))?$/.exec(locale);
  if (!m) return undefined;
  const tag = [m[1], m[2], m[3]].filter(Boolean).join('-');
  return Intl.Collator.supportedLocalesOf(tag).length > 0 ? tag : undefined;
}

function strengthOf(spec: Document): number {
  const v = spec.strength;
  if (v === undefined) return 3;
  const kind = typeName(v);
  if (kind !== 'int' && kind !== 'long' && kind !== 'double' && kind !== 'decimal')
    fail('TypeMismatch', `Expected field "strength" to have numeric type, but found ${kind}`);
  const n = Number(typeof v === 'number' ? v : String(v));
  if (!Number.isInteger(n))
    fail(
      'BadValue',
      `Expected field "strength" to have a value exactly representable as a 64-bit integer, but found strength: ${n}`,
    );
  if (n < 1 || n > 5) fail('FailedToParse', `Field 'strength' must be an integer 1 through 5. Got: ${n}`);
  return n;
}

/** Validates a collation document like mongod; null for `{locale: 'simple'}`. */
function parseSpec(raw: unknown): CollationSpec | null {
  if (!isPlainObject(raw)) fail('TypeMismatch', `collation must be an object, found ${typeName(raw)}`);
  const locale = raw.locale;
  if (locale === undefined) fail('NoSuchKey', 'Missing expected field "locale"');
  if (typeof locale !== 'string')
    fail('TypeMismatch', `"locale" had the wrong type. Expected string, found ${typeName(locale)}`);
  if (locale === 'simple') {
    if (Object.keys(raw).length > 1)
      fail('FailedToParse', `If locale=simple, no other fields should be present in: ${show(raw)}`);
    return null;
  }
  if (locale === '') fail('BadValue', `Field 'locale' cannot be the empty string in: ${show(raw)}`);
  if (!bcp47(locale)) fail('BadValue', `Field 'locale' is invalid in: ${show(raw)}`);
  const spec: CollationSpec = {
    locale,
    caseLevel: boolField(raw, 'caseLevel', false),
    caseFirst: oneOf(raw, 'caseFirst', ['upper', 'lower', 'off'], 'off'),
    strength: strengthOf(raw),
    numericOrdering: boolField(raw, 'numericOrdering', false),
    alternate: oneOf(raw, 'alternate', ['non-ignorable', 'shifted'], 'non-ignorable'),
    maxVariable: oneOf(raw, 'maxVariable', ['punct', 'space'], 'punct'),
    normalization: boolField(raw, 'normalization', false),
    backwards: boolField(raw, 'backwards', false),
    version: ICU_VERSION,
  };
  const version = stringField(raw, 'version');
  if (version !== undefined && version !== ICU_VERSION)
    fail(
      'IncompatibleCollationVersion',
      `Requested collation version ${version} but the only available collator version was ${ICU_VERSION}. Requested collation spec: ${show(raw)}`,
    );
  if (Object.keys(raw).some((k) => !FIELDS.has(k)))
    fail('FailedToParse', `Collation spec contains unknown field. Collation spec: ${show(raw)}`);
  if (spec.backwards && spec.strength === 1)
    fail('BadValue', `'backwards' is invalid with 'strength' of 1 in: ${show(spec)}`);
  if (spec.caseFirst !== 'off' && !spec.caseLevel && spec.strength < 3)
    fail(
      'BadValue',
      `'caseFirst' is invalid unless 'caseLevel' is on or 'strength' is greater than 2 in: ${show(spec)}`,
    );
  return spec;
}

/** A parsed, non-simple collation: comparison, equality keys and the mingo context that applies them. */
export class Collation implements ValueCollator {
  private readonly collator: Intl.Collator;
  private ctx: Context | undefined;

  constructor(readonly spec: CollationSpec) {
    registerCollator(spec, this);
    const { strength, caseLevel } = spec;
    this.collator = new Intl.Collator(bcp47(spec.locale), {
      usage: 'sort',
      sensitivity:
        strength === 1 ? (caseLevel ? 'case' : 'base') : strength === 2 && !caseLevel ? 'accent' : 'variant',
      caseFirst: spec.caseFirst === 'off' ? 'false' : spec.caseFirst,
      numeric: spec.numericOrdering,
      ignorePunctuation: spec.alternate === 'shifted',
    });
  }

  /** BSON order (compareValues), strings (also inside arrays and documents) by the collation. */
  readonly compare = (a: unknown, b: unknown): number => {
    if (typeof a === 'string' && typeof b === 'string') return this.collator.compare(a, b);
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const c = this.compare(a[i], b[i]);
        if (c !== 0) return c;
      }
      return a.length - b.length;
    }
    if (isPlainObject(a) && isPlainObject(b)) {
      const ka = Object.keys(a);
      const kb = Object.keys(b);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        if (ka[i] !== kb[i]) return compareValues(a, b);
        const c = this.compare(a[ka[i]!], b[kb[i]!]);
        if (c !== 0) return c;
      }
      return ka.length - kb.length;
    }
    return compareValues(a, b);
  };

  /**
   * Equal keys for strings the collation finds equal, for hashing (unique indexes, `$group`, `distinct`):
   * the string folded as far as the strength ignores (case below 3 without caseLevel, accents at 1), digit
   * runs without leading zeros with numericOrdering, punctuation and spaces dropped when shifted.
   */
  readonly key = (s: string): string => {
    const { strength, caseLevel, numericOrdering, alternate } = this.spec;
    let k = s.normalize('NFC');
    if (alternate === 'shifted' && strength < 4) k = k.replace(/[\p{P}\p{Z}]/gu, '');
    if (numericOrdering) k = k.replace(/\d+/g, (d) => d.replace(/^0+(?=\d)/, ''));
    if (strength === 1) k = k.normalize('NFD').replace(/\p{M}/gu, '');
    if (strength < 3 && !caseLevel) k = k.toLowerCase();
    return k;
  };

  /** A value as a collated index stores it: strings (also nested) replaced by their keys. */
  readonly indexValue = (v: unknown): unknown => {
    if (typeof v === 'string') return `\u0000${this.key(v)}`;
    if (Array.isArray(v)) return v.map(this.indexValue);
    if (isPlainObject(v)) {
      const out: Document = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.indexValue(x);
      return out;
    }
    return v;
  };

  private eq(a: unknown, b: unknown): boolean {
    if (typeof a === 'string' && typeof b === 'string') return this.collator.compare(a, b) === 0;
    if (Array.isArray(a) && Array.isArray(b))
      return a.length === b.length && a.every((x, i) => this.eq(x, b[i]));
    if (isPlainObject(a) && isPlainObject(b)) return this.compare(a, b) === 0;
    return eqValue(a, b);
  }

  /** The mingo context: the typed operators with collated comparisons (query and expression operators). */
  get context(): Context {
    if (this.ctx) return this.ctx;
    const resolved = (o: unknown, selector: string): unknown =>
      resolve(o as Document, selector, { unwrapArray: true });
    const depthOf = (selector: string): number => selector.split('.').length - 1;
    const fieldEq = (a: unknown, b: unknown, depth: number): boolean => {
      if (this.eq(a, b)) return true;
      if (isNil(a) && isNil(b)) return true;
      if (Array.isArray(a))
        return a.some((v) => this.eq(v, b)) || flatten(a, depth).some((v) => this.eq(v, b));
      return false;
    };
    const fieldIn = (a: unknown, list: unknown[]): boolean => {
      if (isNil(a)) return list.some((v) => v === null);
      const values = ensureArray(a);
      if (values.some((v) => list.some((e) => this.eq(v, e)))) return true;
      const patterns = list.filter(isRegExp) as RegExp[];
      return patterns.some((re) => values.some((v) => isString(v) && re.test(v)));
    };
    type Op = (selector: string, value: unknown, options: Options) => (o: unknown) => boolean;
    const exact = EXACT_QUERY_OPERATORS as unknown as Record<string, Op>;
    const range =
      (name: string, test: (c: number) => boolean): Op =>
      (selector, value, options) => {
        // Only string bounds compare differently under a collation.
        if (typeof value !== 'string') return exact[name]!(selector, value, options);
        return (o) =>
          ensureArray(resolved(o, selector)).some(
            (v) => typeof v === 'string' && test(this.collator.compare(v, value)),
          );
      };
    const query: Record<string, Op> = {
      $eq: (s, v) => (o) => fieldEq(resolved(o, s), v, depthOf(s)),
      $ne: (s, v) => (o) => !fieldEq(resolved(o, s), v, depthOf(s)),
      $in: (s, v) => (o) => fieldIn(resolved(o, s), ensureArray(v as unknown[])),
      $nin: (s, v) => (o) => !fieldIn(resolved(o, s), ensureArray(v as unknown[])),
      $gt: range('$gt', (c) => c > 0),
      $gte: range('$gte', (c) => c >= 0),
      $lt: range('$lt', (c) => c < 0),
      $lte: range('$lte', (c) => c <= 0),
    };
    // $expr and aggregation comparisons: mongod's Value::compare (missing below null), strings collated.
    type Expr = (obj: unknown, expr: unknown, options: Options) => unknown;
    const cmp = (obj: unknown, expr: unknown, options: Options): number => {
      const [a, b] = evalArgs(obj, expr, options);
      return a === undefined || b === undefined ? compareAgg(a, b) : this.compare(a, b);
    };
    const expression: Record<string, Expr> = {
      $cmp: (o, e, opts) => Math.sign(cmp(o, e, opts)),
      $eq: (o, e, opts) => cmp(o, e, opts) === 0,
      $ne: (o, e, opts) => cmp(o, e, opts) !== 0,
      $gt: (o, e, opts) => cmp(o, e, opts) > 0,
      $gte: (o, e, opts) => cmp(o, e, opts) >= 0,
      $lt: (o, e, opts) => cmp(o, e, opts) < 0,
      $lte: (o, e, opts) => cmp(o, e, opts) <= 0,
    };
    this.ctx = Context.from(Context.init({ query, expression } as never), typedContext());
    return this.ctx;
  }

  /** Options for mingo (aggregation, filters): this collation's context, marked as collated. */
  mingoOptions(): Partial<Options> {
    return { context: this.context, collation: this.spec } as unknown as Partial<Options>;
  }
}

const byKey = new Map<string, Collation | null>();
const byObject = new WeakMap<object, Collation | null>();

/** A collation document parsed (cached), or null for none / simple. Throws mongod's errors when invalid. */
export function parseCollation(raw: unknown): Collation | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'object') {
    const cached = byObject.get(raw);
    if (cached !== undefined) return cached;
  }
  const k = isPlainObject(raw) ? keyOf(raw) : undefined;
  let c = k === undefined ? undefined : byKey.get(k);
  if (c === undefined) {
    const spec = parseSpec(raw);
    c = spec ? new Collation(spec) : null;
    if (byKey.size >= 1000) byKey.clear(); // clients use a handful; never let odd ones pile up
    if (k !== undefined) byKey.set(k, c);
  }
  if (typeof raw === 'object') byObject.set(raw, c);
  return c;
}

/** The collation a command runs with: its own, else its collection's default (`create` with `collation`). */
export function commandCollation(raw: unknown, coll: Collection | undefined): Collation | null {
  if (raw !== undefined) return parseCollation(raw);
  const dflt = coll?.options.collation;
  return dflt === undefined ? null : parseCollation(dflt);
}

/** The spec to store for a collection/index collation (normalized, as mongod lists it), or none for simple. */
export function storedCollation(raw: unknown): CollationSpec | undefined {
  return parseCollation(raw)?.spec;
}

/** A filter for stored documents, compared under the collation. */
function collatedFilter(filter: Document | undefined, c: Collation): Predicate {
  const pred = compileFilter(filter, typedOptions(c.mingoOptions()));
  return (doc) => pred(typedView(doc));
}

/**
 * `store.read` under a collation: the whole collection through the collated filter (in natural order, up to
 * `limit`), or the plain read when there is none.
 */
export function readCollated(
  store: Store,
  coll: Collection,
  filter: Document | undefined,
  c: Collation | null,
  limit?: number,
): Document[] {
  if (!c) return store.read(coll, filter, limit).docs;
  const pred = collatedFilter(filter, c);
  const out: Document[] = [];
  for (const d of store.read(coll, undefined).docs) {
    if (!pred(d)) continue;
    out.push(d);
    if (limit && out.length >= limit) break;
  }
  return out;
}

/** Validates every collation of a command (its own and its statements' / index specs'), as mongod does. */
export function validateCollations(cmd: Document): void {
  if (cmd.collation !== undefined) parseCollation(cmd.collation);
  for (const field of ['updates', 'deletes', 'indexes']) {
    const list = cmd[field];
    if (!Array.isArray(list)) continue;
    for (const s of list) if (isPlainObject(s) && s.collation !== undefined) parseCollation(s.collation);
  }
}
