import type { Document } from 'bson';
import { Query as BaseQuery } from 'mingo/query';
import {
  hasWrappedNumbers,
  isPlainObject,
  keyOf,
  pathValues,
  toExactView,
  toTypedView,
} from '../bsonUtil.js';
import { fail, unsupported } from '../errors.js';
import { compileExprPredicate } from './compiledExpr.js';
import { queryOptions } from './context.js';
import type { Options } from './evaluate.js';
import { TYPED_QUERY_OPERATORS } from './queryOps.js';

const views = new WeakMap<object, Document>();
/** Views holding a Long/Decimal128 no double equals: such documents are matched on their typed view. */
const inexactViews = new WeakSet<object>();
const typedViews = new WeakMap<object, Document>();

/**
 * The document as mingo's own query operators see it (cached per stored doc): numeric wrappers flattened to
 * numbers when a double equals them exactly; a Long beyond 2^53 or a Decimal128 like 0.1 stays a wrapper
 * (see toExactView) and marks the view inexact.
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
 * The document as the typed operators see it (query/queryOps.ts, aggregation, projection expressions):
 * numbers keep their BSON types; only binaries and BSON regexes are converted (see toTypedView).
 */
export function typedView(doc: Document): Document {
  let v = typedViews.get(doc);
  if (v === undefined) {
    v = toTypedView(doc) as Document;
    typedViews.set(doc, v);
  }
  return v;
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

/** True when the filter uses an operator that must see typed documents (ranges for NaN, $type, $expr, ...). */
function needsTypedQuery(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(needsTypedQuery);
  if (!isPlainObject(v)) return false;
  for (const k in v) if (TYPED_QUERY_OPERATORS.has(k) || needsTypedQuery(v[k])) return true;
  return false;
}

function newQuery(view: Document, typed: boolean, options?: Options): { test(o: Document): boolean } {
  try {
    return new BaseQuery(view, options ?? queryOptions(typed));
  } catch (err) {
    fail('BadValue', err instanceof Error ? err.message : String(err));
  }
}

/**
 * Compiles a query filter for stored documents. With `options` (a pipeline's: `$match`, `$graphLookup`'s
 * restriction) the documents are the pipeline's typed ones, matched as they are, and `$expr` sees the
 * pipeline's variables (`$lookup`'s `let`).
 */
export function compileFilter(filter: Document | undefined, options?: Options): Predicate {
  if (filter === undefined || filter === null) return () => true;
  if (typeof filter !== 'object' || Array.isArray(filter)) fail('TypeMismatch', 'filter must be an object');
  const keys = Object.keys(filter);
  if (keys.length === 0) return () => true;
  // Under a collation (options.collation, query/collation.ts) strings do not compare by their bytes.
  const fast = options?.collation ? undefined : simpleEquality(filter, keys);
  if (fast) return fast;
  assertSupported(filter);
  if (!options && keys.length === 1 && keys[0] === '$expr') {
    // A lone $expr (e.g. a change-stream filter) runs compiled when it can (compiledExpr.ts).
    const compiled = compileExprPredicate(filter.$expr);
    if (compiled) return (doc) => compiled(typedView(doc));
  }
  if (options) {
    // Pipeline documents already keep their types and hold no opaque values (see runPipeline).
    const typedQuery = newQuery(toTypedView(filter) as Document, true, options);
    return (doc) => typedQuery.test(doc);
  }
  const { view, inexact } = toExactView(filter);
  if (inexact || needsTypedQuery(filter)) {
    // The filter holds a Long beyond 2^53 / a Decimal128 no double equals, or an operator that needs types.
    const typedQuery = newQuery(toTypedView(filter) as Document, true);
    return (doc) => typedQuery.test(typedView(doc));
  }
  const query = newQuery(view as Document, false);
  let typedQuery: { test(o: Document): boolean } | undefined;
  return (doc) => {
    const v = matchView(doc);
    if (v !== doc && inexactViews.has(v)) {
      typedQuery ??= newQuery(toTypedView(filter) as Document, true);
      return typedQuery.test(typedView(doc));
    }
    return query.test(v);
  };
}
