import type { Document } from 'bson';
import { Query } from 'mingo';
import { Context } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query as BaseQuery } from 'mingo/query';
import {
  ensureArray,
  flatten,
  isEqual,
  isNil,
  isRegExp,
  isString,
  compare as mingoCompare,
  resolve,
  typeOf,
} from 'mingo/util';
import {
  bsonType,
  hasWrappedNumbers,
  isPlainObject,
  keyOf,
  pathValues,
  toExactView,
  toView,
} from '../bsonUtil.js';
import { fail, unsupported } from '../errors.js';
import { compareNumbers, exactDouble, isWrappedNumber } from '../numbers.js';
import { compileSchema } from './jsonSchema.js';

const views = new WeakMap<object, Document>();
/** Views holding a Long/Decimal128 no double equals: they are matched with the exact operators below. */
const inexactViews = new WeakSet<object>();
const lossyViews = new WeakMap<object, Document>();

/**
 * The document as the matcher sees it (cached per stored doc): numeric wrappers flattened to numbers when a
 * double equals them exactly; a Long beyond 2^53 or a Decimal128 like 0.1 stays a wrapper (see toExactView).
 */
export function matchView(doc: Document): Document {
  let v = views.get(doc);
  if (v === undefined) {
    if (hasWrappedNumbers(doc)) {
      const r = toExactView(doc);
      v = r.view as Document;
      if (r.inexact) inexactViews.add(v);
    } else v = doc;
    views.set(doc, v);
  }
  return v;
}

/**
 * The document as aggregation expressions and projections see it: every number a plain JS number (mingo's
 * arithmetic needs them; lossy beyond 2^53, see README). The same object as matchView unless that kept wrappers.
 */
export function aggView(doc: Document): Document {
  const v = matchView(doc);
  if (!inexactViews.has(v)) return v;
  let l = lossyViews.get(doc);
  if (l === undefined) {
    l = toView(doc) as Document;
    lossyViews.set(doc, l);
  }
  return l;
}

const UNSUPPORTED_QUERY_OPS = new Set([
  '$where',
  '$text',
  '$near',
  '$nearSphere',
  '$geoWithin',
  '$geoIntersects',
  '$function',
  '$accumulator',
]);

/** Rejects operators the emulator deliberately does not implement (instead of answering wrongly). */
export function assertSupported(expr: unknown): void {
  if (expr === null || typeof expr !== 'object') return;
  if (Array.isArray(expr)) {
    for (const e of expr) assertSupported(e);
    return;
  }
  if (
    (expr as { _bsontype?: string })._bsontype !== undefined ||
    expr instanceof Date ||
    expr instanceof RegExp
  )
    return;
  for (const [k, v] of Object.entries(expr)) {
    if (UNSUPPORTED_QUERY_OPS.has(k)) unsupported(`the ${k} operator`);
    assertSupported(v);
  }
}

export type Predicate = (doc: Document) => boolean;

function isScalar(v: unknown): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object': {
      const t = (v as { _bsontype?: string })._bsontype;
      return (
        v instanceof Date ||
        t === 'ObjectId' ||
        t === 'Long' ||
        t === 'Double' ||
        t === 'Int32' ||
        t === 'Decimal128'
      );
    }
    default:
      return false;
  }
}

/** Hot path: `{a: 1, 'b.c': 'x'}` with scalar values is matched without mingo (same semantics incl. arrays). */
function simpleEquality(filter: Document, keys: string[]): Predicate | undefined {
  if (keys.length > 4) return undefined;
  const tests: [string, string, boolean][] = [];
  for (const k of keys) {
    const v = filter[k];
    if (k.startsWith('$') || !isScalar(v)) return undefined;
    if (typeof v === 'number' && Number.isNaN(v)) return undefined;
    tests.push([k, keyOf(v), k.includes('.')]);
  }
  return (doc) => {
    for (const [path, key, dotted] of tests) {
      if (!dotted) {
        const v = doc[path];
        if (Array.isArray(v)) {
          if (!v.some((e) => keyOf(e) === key)) return false;
        } else if (keyOf(v) !== key) return false;
      } else if (!pathValues(doc, path).some((e) => keyOf(e) === key)) return false;
    }
    return true;
  };
}

export const MINGO_OPTIONS = {
  useStrictMode: true,
  scriptEnabled: false,
  jsonSchemaValidator: (schema: Document) => compileSchema(schema) as (o: Document) => boolean,
} as const;

// ---- exact comparison operators -------------------------------------------------------------------------
// mingo compares numbers as JS numbers. Views keep a Long/Decimal128 that no double equals as its wrapper, and
// these replacements of mingo's comparison operators compare numbers of any type by value (numbers.ts). They
// are only used for filters or documents holding such wrappers, so everything else keeps mingo's own path.

function isNum(v: unknown): boolean {
  return typeof v === 'number' || isWrappedNumber(v);
}

/** mingo's isEqual, except that numbers (also nested in arrays/objects) compare by value. */
function eqValue(x: unknown, y: unknown): boolean {
  if (isNum(x) && isNum(y)) return compareNumbers(x, y) === 0;
  if (Array.isArray(x) && Array.isArray(y))
    return x.length === y.length && x.every((e, i) => eqValue(e, y[i]));
  if (isPlainObject(x) && isPlainObject(y)) {
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    return kx.every((k) => k in y && eqValue(x[k], y[k]));
  }
  return isEqual(x as never, y as never);
}

type FieldPredicate = (lhs: unknown, rhs: unknown, depth: number) => boolean;

/** Same field resolution as mingo's own query operators (arrays unwrapped along the path). */
function fieldOperator(predicate: FieldPredicate) {
  return (selector: string, value: unknown) => {
    let depth = 0;
    for (let i = selector.indexOf('.'); i !== -1; i = selector.indexOf('.', i + 1)) depth++;
    const opts = { unwrapArray: true };
    return (o: unknown) => predicate(resolve(o as Document, selector, opts), value, depth);
  };
}

function exactEq(a: unknown, b: unknown, depth: number): boolean {
  if (eqValue(a, b)) return true;
  if (isNil(a) && isNil(b)) return true;
  if (Array.isArray(a)) return a.some((v) => eqValue(v, b)) || flatten(a, depth).some((v) => eqValue(v, b));
  return false;
}

function exactIn(a: unknown, b: unknown): boolean {
  const list = ensureArray(b as unknown[]);
  if (isNil(a)) return list.some((v) => v === null);
  const values = ensureArray(a);
  if (values.some((v) => list.some((e) => eqValue(v, e)))) return true;
  const patterns = list.filter(isRegExp) as RegExp[];
  return patterns.length > 0 && values.some((v) => isString(v) && patterns.some((re) => re.test(v)));
}

function isNaNValue(v: unknown): boolean {
  return typeof v === 'number' ? Number.isNaN(v) : isWrappedNumber(v) && Number.isNaN(exactDouble(v));
}

/**
 * $gt/$gte/$lt/$lte. Like mongod, NaN only satisfies $gte/$lte against NaN ($gt/$lt never), although it sorts
 * below every number (mingo would let `{$gte: 5}` match NaN).
 */
function exactCompare(test: (c: number) => boolean): FieldPredicate {
  return (a, b) => {
    const bNum = isNum(b);
    const bNaN = bNum && isNaNValue(b);
    for (const v of ensureArray(a)) {
      if (bNum && isNum(v)) {
        if (bNaN || isNaNValue(v)) {
          if (bNaN && isNaNValue(v) && test(0)) return true;
        } else if (test(compareNumbers(v, b))) return true;
      } else if (typeOf(v) === typeOf(b) && test(mingoCompare(v, b))) return true;
    }
    return false;
  };
}

const RANGE_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);

/** True when the filter uses a range operator anywhere (they always take the exact path, for NaN). */
function hasRangeOperator(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasRangeOperator);
  if (!isPlainObject(v)) return false;
  for (const k in v) if (RANGE_OPERATORS.has(k) || hasRangeOperator(v[k])) return true;
  return false;
}

const WRAPPED_TYPES: Record<string, (string | number)[]> = {
  Long: ['long', 18, 'number'],
  Decimal128: ['decimal', 19, 'number'],
};

/** $type on a kept wrapper (mingo would see an object); anything else is mingo's $type. */
function exactType(selector: string, value: unknown, options: unknown) {
  const original = (queryOperators.$type as (s: string, v: unknown, o: unknown) => (o: unknown) => boolean)(
    selector,
    value,
    options,
  );
  const types = Array.isArray(value) ? value : [value];
  const wrapped = (v: unknown): boolean => {
    const names = WRAPPED_TYPES[bsonType(v) ?? ''];
    return names !== undefined && types.some((t) => names.includes(t as string | number));
  };
  const opts = { unwrapArray: true };
  return (o: unknown) => {
    const lhs = resolve(o as Document, selector, opts);
    if (isWrappedNumber(lhs)) return wrapped(lhs);
    if (Array.isArray(lhs) && lhs.some(wrapped)) return true;
    return original(o);
  };
}

const EXACT_QUERY_OPERATORS = {
  ...queryOperators,
  $eq: fieldOperator(exactEq),
  $ne: fieldOperator((a, b, depth) => !exactEq(a, b, depth)),
  $in: fieldOperator(exactIn),
  $nin: fieldOperator((a, b) => !exactIn(a, b)),
  $gt: fieldOperator(exactCompare((c) => c > 0)),
  $gte: fieldOperator(exactCompare((c) => c >= 0)),
  $lt: fieldOperator(exactCompare((c) => c < 0)),
  $lte: fieldOperator(exactCompare((c) => c <= 0)),
  $type: exactType,
};

/** mingo's full operator set with the exact comparisons (mingo's `Query` would not let ours override its own). */
const EXACT_CONTEXT = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  pipeline: pipelineOperators,
  projection: projectionOperators,
  query: EXACT_QUERY_OPERATORS,
  window: windowOperators,
} as unknown as Parameters<typeof Context.init>[0]);

function newQuery(view: Document, exact: boolean): { test(o: Document): boolean } {
  try {
    return exact
      ? new BaseQuery(view, { ...MINGO_OPTIONS, context: EXACT_CONTEXT })
      : new Query(view, MINGO_OPTIONS);
  } catch (err) {
    fail('BadValue', err instanceof Error ? err.message : String(err));
  }
}

export function compileFilter(filter: Document | undefined): Predicate {
  if (filter === undefined || filter === null) return () => true;
  if (typeof filter !== 'object' || Array.isArray(filter)) fail('TypeMismatch', 'filter must be an object');
  const keys = Object.keys(filter);
  if (keys.length === 0) return () => true;
  const fast = simpleEquality(filter, keys);
  if (fast) return fast;
  assertSupported(filter);
  const { view, inexact } = toExactView(filter);
  if (inexact || hasRangeOperator(view)) {
    // The filter itself holds a Long beyond 2^53 / a Decimal128 no double equals, or a range operator.
    const exactQuery = newQuery(view as Document, true);
    return (doc) => exactQuery.test(matchView(doc));
  }
  const query = newQuery(view as Document, false);
  let exactQuery: { test(o: Document): boolean } | undefined;
  return (doc) => {
    const v = matchView(doc);
    if (v !== doc && inexactViews.has(v)) {
      exactQuery ??= newQuery(view as Document, true);
      return exactQuery.test(v);
    }
    return query.test(v);
  };
}
