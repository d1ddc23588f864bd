import type { Document } from 'bson';
import { Query } from 'mingo';
import { hasWrappedNumbers, keyOf, pathValues, toView } from '../bsonUtil.js';
import { fail, unsupported } from '../errors.js';
import { compileSchema } from './jsonSchema.js';

const views = new WeakMap<object, Document>();

/** The document as the matcher sees it: numeric wrappers flattened to numbers (cached per stored doc). */
export function matchView(doc: Document): Document {
  let v = views.get(doc);
  if (v === undefined) {
    v = hasWrappedNumbers(doc) ? (toView(doc) as Document) : doc;
    views.set(doc, v);
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

export const MINGO_OPTIONS = {
  useStrictMode: true,
  scriptEnabled: false,
  jsonSchemaValidator: (schema: Document) => compileSchema(schema) as (o: Document) => boolean,
} as const;

export function compileFilter(filter: Document | undefined): Predicate {
  if (filter === undefined || filter === null) return () => true;
  if (typeof filter !== 'object' || Array.isArray(filter)) fail('TypeMismatch', 'filter must be an object');
  const keys = Object.keys(filter);
  if (keys.length === 0) return () => true;
  const fast = simpleEquality(filter, keys);
  if (fast) return fast;
  assertSupported(filter);
  let query: Query;
  try {
    query = new Query(toView(filter) as Document, MINGO_OPTIONS);
  } catch (err) {
    fail('BadValue', err instanceof Error ? err.message : String(err));
  }
  return (doc) => query.test(matchView(doc));
}
