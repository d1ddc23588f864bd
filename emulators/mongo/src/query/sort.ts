/**
 * mongod's sort order for find, findAndModify, $push's $sort and the aggregation stages: BSON order with
 * numbers by exact value (bsonUtil.compareValues); an array field sorts by its smallest element ascending
 * and its largest descending; missing sorts like null.
 */
import type { Document } from 'bson';
import { compareValues, isPlainObject, numberOf } from '../bsonUtil.js';
import { fail, unsupported } from '../errors.js';
import { exactDouble, isWrappedNumber } from '../numbers.js';

interface SortField {
  readonly path: string[];
  readonly dir: 1 | -1;
}

function parseSpec(spec: Document): SortField[] {
  return Object.entries(spec).map(([path, dir]) => {
    if (isPlainObject(dir) && dir.$meta) unsupported(`sorting by {$meta: ${String(dir.$meta)}}`);
    const d = numberOf(dir);
    if (d !== 1 && d !== -1) fail('BadValue', `Illegal key in $sort specification: ${path}: ${String(dir)}`);
    return { path: path.split('.'), dir: d };
  });
}

function collect(cur: unknown, path: string[], i: number): unknown[] {
  if (i === path.length) {
    if (Array.isArray(cur)) return cur.length ? cur : [undefined];
    return [cur];
  }
  if (Array.isArray(cur)) return cur.flatMap((e) => (isPlainObject(e) ? collect(e, path, i) : []));
  if (!isPlainObject(cur)) return [undefined];
  return collect(cur[path[i]!], path, i + 1);
}

/** The value a document sorts by for one field (min of an array ascending, max descending). */
function sortKey(doc: unknown, f: SortField, compare = compareValues): unknown {
  const vals = collect(doc, f.path, 0);
  let best = vals[0];
  for (const v of vals) if (compare(v, best) * f.dir < 0) best = v;
  return best;
}

/** Comparator for a sort spec `{a: 1, 'b.c': -1}` (`compare`: a collation's, query/collation.ts). */
export function sortComparator(
  spec: Document,
  compare: (x: unknown, y: unknown) => number = compareValues,
): (a: Document, b: Document) => number {
  const fields = parseSpec(spec);
  return (a, b) => {
    for (const f of fields) {
      const c = compare(sortKey(a, f, compare), sortKey(b, f, compare));
      if (c !== 0) return c * f.dir;
    }
    return 0;
  };
}

/** A number wrapper a double equals, as that double (same order; the comparison's fast path below). */
function plainKey(k: unknown): unknown {
  if (k === null || typeof k !== 'object' || !isWrappedNumber(k)) return k;
  return exactDouble(k) ?? k;
}

function compareKeys(x: unknown, y: unknown): number {
  if (typeof x === 'number' && typeof y === 'number' && !Number.isNaN(x) && !Number.isNaN(y))
    return x < y ? -1 : x > y ? 1 : 0;
  return compareValues(x, y);
}

/** A sorted copy (keys computed once per document; stable, so ties keep their input order). */
export function sortDocuments<T>(
  docs: T[],
  spec: Document,
  compare?: (x: unknown, y: unknown) => number,
): T[] {
  const fields = parseSpec(spec);
  const keyed = docs.map((doc) => ({ doc, keys: fields.map((f) => plainKey(sortKey(doc, f, compare))) }));
  const cmp = compare ?? compareKeys;
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const c = cmp(a.keys[i], b.keys[i]);
      if (c !== 0) return c * fields[i]!.dir;
    }
    return 0;
  });
  return keyed.map((k) => k.doc);
}
