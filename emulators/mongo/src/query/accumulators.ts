/**
 * Group accumulators ($group, $bucket, $setWindowFields) that keep BSON number types and compare like
 * mongod: `$sum` of Longs is an exact Long, of Decimal128s an exact Decimal128; `$min`/`$max`/`$addToSet`
 * compare numbers by value across types.
 */
import { evalExpr } from 'mingo/core';
import { keyOf } from '../bsonUtil.js';
import { fail } from '../errors.js';
import { evaluator, type Options } from './evaluate.js';
import { maxOf, minOf } from './expressions.js';
import * as n from './numeric.js';
import { sortDocuments } from './sort.js';
import * as sums from './summation.js';
import { compareAgg } from './values.js';

export type AccumulatorFn = (coll: unknown[], expr: unknown, options: Options) => unknown;

/** Each item's value of `expr` (a null expr: the items are the values, as mingo passes expression forms). */
function valuesOf(coll: unknown[], expr: unknown, options: Options): unknown[] {
  if (expr === null || expr === undefined) return coll;
  const ev = evaluator(expr, options);
  return coll.map(ev);
}

const isNullish = (v: unknown): boolean => v === null || v === undefined;

function objectSpec(op: string, expr: unknown): Record<string, unknown> {
  if (expr === null || typeof expr !== 'object' || Array.isArray(expr))
    fail('Location5787801', `${op} specification must be an object`);
  return expr as Record<string, unknown>;
}

/** `n` of the N-accumulators: evaluated once (it may use the group's _id), a positive integer. */
function countOf(op: string, expr: unknown, coll: unknown[], options: Options): number {
  const v = evaluator(expr, options)(coll[0] ?? {});
  const i = n.integralOf(v);
  if (i === undefined || i <= 0n) fail('Location5787908', `'n' must be a positive integer for ${op}`);
  return Number(i);
}

function sorted(op: string, coll: unknown[], spec: Record<string, unknown>): unknown[] {
  if (spec.sortBy === null || typeof spec.sortBy !== 'object')
    fail('Location5788005', `${op} requires a 'sortBy' object`);
  return sortDocuments(coll, spec.sortBy as Record<string, unknown>);
}

/** mongod's approximate percentile as mingo computes it, on doubles sorted numerically. */
function percentiles(values: unknown[], ps: unknown, method: unknown): unknown[] {
  const xs = values.filter((v) => n.numKind(v) !== undefined).map(n.doubleOf);
  xs.sort((a, b) => a - b);
  if (!Array.isArray(ps)) fail('Location7750301', "$percentile 'p' must resolve to an array of numbers");
  return ps.map((pv) => {
    const p = n.numKind(pv) === undefined ? Number.NaN : n.doubleOf(pv);
    if (!(p >= 0 && p <= 1)) fail('Location7750302', "$percentile 'p' must be numbers between 0.0 and 1.0");
    if (xs.length === 0) return null;
    const r = p * (xs.length - 1) + 1;
    const ri = Math.floor(r);
    const exact = r === ri ? xs[r - 1]! : xs[ri - 1]! + (r % 1) * (xs[ri]! - xs[ri - 1]!);
    if (method === 'exact') return n.makeDouble(exact);
    let pos = xs.findIndex((x) => x >= exact);
    if (pos === -1) pos = xs.length;
    return n.makeDouble(pos / xs.length >= p ? xs[Math.max(pos - 1, 0)]! : xs[pos]!);
  });
}

function covariance(coll: unknown[], expr: unknown, options: Options, sample: boolean): unknown {
  const pairs = valuesOf(coll, expr, options)
    .filter(
      (p): p is unknown[] => Array.isArray(p) && p.length === 2 && p.every((v) => n.numKind(v) !== undefined),
    )
    .map((p) => [n.doubleOf(p[0]), n.doubleOf(p[1])] as const);
  if (pairs.length < (sample ? 2 : 1)) return null;
  let mx = 0;
  let my = 0;
  for (const [x, y] of pairs) {
    mx += x;
    my += y;
  }
  mx /= pairs.length;
  my /= pairs.length;
  let c = 0;
  for (const [x, y] of pairs) c += (x - mx) * (y - my);
  return n.makeDouble(c / (pairs.length - (sample ? 1 : 0)));
}

export const ACCUMULATORS: Record<string, AccumulatorFn> = {
  $sum: (coll, expr, options) => {
    // A numeric constant sums like mongod's ConstantSumState (plain running total, int → long → double).
    if (n.numKind(expr) !== undefined) return sums.constantSum(expr, coll.length);
    const s = new sums.Summer();
    for (const v of valuesOf(coll, expr, options)) s.add(v);
    return s.value();
  },
  $avg: (coll, expr, options) => {
    const s = new sums.Averager();
    for (const v of valuesOf(coll, expr, options)) s.add(v);
    return s.value();
  },
  $max: (coll, expr, options) => maxOf(valuesOf(coll, expr, options)),
  $min: (coll, expr, options) => minOf(valuesOf(coll, expr, options)),
  $stdDevPop: (coll, expr, options) => {
    const s = new sums.StdDev();
    for (const v of valuesOf(coll, expr, options)) s.add(v);
    return s.value(false);
  },
  $stdDevSamp: (coll, expr, options) => {
    const s = new sums.StdDev();
    for (const v of valuesOf(coll, expr, options)) s.add(v);
    return s.value(true);
  },
  $push: (coll, expr, options) => valuesOf(coll, expr, options).filter((v) => v !== undefined),
  $addToSet: (coll, expr, options) => {
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const v of valuesOf(coll, expr, options)) {
      if (v === undefined) continue;
      const k = keyOf(v);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(v);
      }
    }
    return out;
  },
  $maxN: (coll, expr, options) => {
    const spec = objectSpec('$maxN', expr);
    const count = countOf('$maxN', spec.n, coll, options);
    const vals = valuesOf(coll, spec.input, options).filter((v) => !isNullish(v));
    return vals.sort((a, b) => compareAgg(b, a)).slice(0, count);
  },
  $minN: (coll, expr, options) => {
    const spec = objectSpec('$minN', expr);
    const count = countOf('$minN', spec.n, coll, options);
    const vals = valuesOf(coll, spec.input, options).filter((v) => !isNullish(v));
    return vals.sort(compareAgg).slice(0, count);
  },
  $top: (coll, expr, options) => {
    const spec = objectSpec('$top', expr);
    const first = sorted('$top', coll, spec)[0];
    return first === undefined ? null : (valuesOf([first], spec.output, options)[0] ?? null);
  },
  $bottom: (coll, expr, options) => {
    const spec = objectSpec('$bottom', expr);
    const all = sorted('$bottom', coll, spec);
    const last = all[all.length - 1];
    return last === undefined ? null : (valuesOf([last], spec.output, options)[0] ?? null);
  },
  $topN: (coll, expr, options) => {
    const spec = objectSpec('$topN', expr);
    const count = countOf('$topN', spec.n, coll, options);
    return valuesOf(sorted('$topN', coll, spec).slice(0, count), spec.output, options).map((v) => v ?? null);
  },
  $bottomN: (coll, expr, options) => {
    const spec = objectSpec('$bottomN', expr);
    const count = countOf('$bottomN', spec.n, coll, options);
    return valuesOf(sorted('$bottomN', coll, spec).slice(-count), spec.output, options).map((v) => v ?? null);
  },
  $percentile: (coll, expr, options) => {
    const spec = objectSpec('$percentile', expr);
    const ps = valuesOf([coll[0] ?? {}], spec.p, options)[0];
    return percentiles(valuesOf(coll, spec.input, options), ps, spec.method);
  },
  $median: (coll, expr, options) => {
    const spec = objectSpec('$median', expr);
    return percentiles(valuesOf(coll, spec.input, options), [0.5], spec.method)[0];
  },
  $covariancePop: (coll, expr, options) => covariance(coll, expr, options, false),
  $covarianceSamp: (coll, expr, options) => covariance(coll, expr, options, true),
};

/** $percentile / $median as expressions: `input` is an array (or a single value). */
export const PERCENTILE_EXPRESSIONS = {
  $percentile: (obj: unknown, expr: unknown, options: Options): unknown => {
    const spec = objectSpec('$percentile', expr);
    const ev = evalExpr(obj, spec.input, options);
    const ps = evalExpr(obj, spec.p, options);
    return percentiles(Array.isArray(ev) ? ev : [ev], ps, spec.method);
  },
  $median: (obj: unknown, expr: unknown, options: Options): unknown => {
    const spec = objectSpec('$median', expr);
    const ev = evalExpr(obj, spec.input, options);
    return percentiles(Array.isArray(ev) ? ev : [ev], [0.5], spec.method)[0];
  },
};
