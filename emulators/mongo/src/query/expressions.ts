/**
 * Aggregation expression operators that see BSON number types (numeric.ts) and compare like mongod
 * (values.ts): comparison, logic, arrays and sets here, arithmetic in mathExpressions.ts, conversions in
 * conversionExpressions.ts. They replace mingo's operators of the same names in the typed context
 * (context.ts); every other mingo operator runs unchanged, numeric arguments it interprets (indexes, counts,
 * date amounts) being handed over as plain numbers.
 */
import { evalExpr } from 'mingo/core';
import * as mingoExpressions from 'mingo/operators/expression';
import { isPlainObject, keyOf } from '../bsonUtil.js';
import { type ErrorCodeName, fail, unsupported } from '../errors.js';
import { exactDouble, isWrappedNumber } from '../numbers.js';
import { TYPES } from './conversionExpressions.js';
import { argCount, type ExpressionFn, evalArgs, isNullish, type Options, withLocals } from './evaluate.js';
import { HASHING } from './hashedIndexKey.js';
import { ARITHMETIC, BITWISE } from './mathExpressions.js';
import * as n from './numeric.js';
import * as sums from './summation.js';
import { typeAlias } from './typeNames.js';
import { compareAgg, equalAgg, truthy } from './values.js';

export type { ExpressionFn };

// ---- comparison, logic, conditionals --------------------------------------------------------------------

function comparison(op: string, test: (c: number) => boolean): ExpressionFn {
  return (obj, expr, options) => {
    const args = evalArgs(obj, expr, options);
    argCount(op, args, 2);
    return test(compareAgg(args[0], args[1]));
  };
}

const LOGIC: Record<string, ExpressionFn> = {
  $eq: comparison('$eq', (c) => c === 0),
  $ne: comparison('$ne', (c) => c !== 0),
  $gt: comparison('$gt', (c) => c > 0),
  $gte: comparison('$gte', (c) => c >= 0),
  $lt: comparison('$lt', (c) => c < 0),
  $lte: comparison('$lte', (c) => c <= 0),
  $cmp: (obj, expr, options) => {
    const args = evalArgs(obj, expr, options);
    argCount('$cmp', args, 2);
    return Math.sign(compareAgg(args[0], args[1]));
  },
  $and: (obj, expr, options) => {
    for (const e of Array.isArray(expr) ? expr : [expr]) if (!truthy(evalExpr(obj, e, options))) return false;
    return true;
  },
  $or: (obj, expr, options) => {
    for (const e of Array.isArray(expr) ? expr : [expr]) if (truthy(evalExpr(obj, e, options))) return true;
    return false;
  },
  $not: (obj, expr, options) => {
    const args = evalArgs(obj, expr, options);
    argCount('$not', args, 1);
    return !truthy(args[0]);
  },
  $cond: (obj, expr, options) => {
    let branches: unknown[];
    if (Array.isArray(expr)) branches = expr;
    else if (isPlainObject(expr)) {
      for (const k of ['if', 'then', 'else'])
        if (!(k in expr)) fail('Location17080', `Missing '${k}' parameter to $cond`);
      branches = [expr.if, expr.then, expr.else];
    } else branches = [];
    if (branches.length !== 3) argCount('$cond', branches, 3);
    return evalExpr(obj, truthy(evalExpr(obj, branches[0], options)) ? branches[1] : branches[2], options);
  },
  $switch: (obj, expr, options) => {
    if (!isPlainObject(expr) || !Array.isArray(expr.branches))
      fail('Location40061', '$switch requires at least one branch.');
    for (const b of expr.branches as unknown[]) {
      if (!isPlainObject(b) || !('case' in b) || !('then' in b))
        fail(
          'Location40064',
          "$switch requires each branch have a 'case' expression and a 'then' expression",
        );
      if (truthy(evalExpr(obj, b.case, options))) return evalExpr(obj, b.then, options);
    }
    if (!('default' in expr))
      fail(
        'Location40066',
        '$switch could not find a matching branch for an input, and no default was specified.',
      );
    return evalExpr(obj, expr.default, options);
  },
};

// ---- arrays and sets ------------------------------------------------------------------------------------

function requireArray(op: string, v: unknown, code: ErrorCodeName, what = 'argument'): unknown[] {
  if (!Array.isArray(v)) fail(code, `${op}'s ${what} must be an array, but is ${typeAlias(v)}`);
  return v;
}

/** Distinct values in first-seen order (numbers of any type equal by value, like mongod's sets). */
function distinct(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of values) {
    const k = keyOf(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

/** The operands of a set operator: arrays, or null when one is nullish (`nullable`). */
function setArgs(
  op: string,
  obj: unknown,
  expr: unknown,
  options: Options,
  nullable: boolean,
): unknown[][] | null {
  const args = evalArgs(obj, expr, options);
  const out: unknown[][] = [];
  for (const a of args) {
    if (isNullish(a) && nullable) return null;
    if (!Array.isArray(a))
      fail('Location17044', `All operands of ${op} must be arrays. One argument is of type: ${typeAlias(a)}`);
    out.push(a);
  }
  return out;
}

const SETS: Record<string, ExpressionFn> = {
  $setUnion: (obj, expr, options) => {
    const args = setArgs('$setUnion', obj, expr, options, true);
    return args && distinct(args.flat());
  },
  $setIntersection: (obj, expr, options) => {
    const args = setArgs('$setIntersection', obj, expr, options, true);
    if (!args) return null;
    if (args.length === 0) return [];
    const keys = args.slice(1).map((a) => new Set(a.map(keyOf)));
    return distinct(args[0]!).filter((v) => keys.every((s) => s.has(keyOf(v))));
  },
  $setDifference: (obj, expr, options) => {
    const args = setArgs('$setDifference', obj, expr, options, true);
    if (!args) return null;
    argCount('$setDifference', args, 2);
    const minus = new Set(args[1]!.map(keyOf));
    return distinct(args[0]!).filter((v) => !minus.has(keyOf(v)));
  },
  $setEquals: (obj, expr, options) => {
    const args = setArgs('$setEquals', obj, expr, options, false)!;
    if (args.length < 2) fail('Location17045', `$setEquals needs at least two arguments had: ${args.length}`);
    const sets = args.map((a) => new Set(a.map(keyOf)));
    return sets.every((s) => s.size === sets[0]!.size && [...s].every((k) => sets[0]!.has(k)));
  },
  $setIsSubset: (obj, expr, options) => {
    const args = setArgs('$setIsSubset', obj, expr, options, false)!;
    argCount('$setIsSubset', args, 2);
    const of = new Set(args[1]!.map(keyOf));
    return args[0]!.every((v) => of.has(keyOf(v)));
  },
  $allElementsTrue: (obj, expr, options) => {
    const [a] = evalArgs(obj, expr, options);
    return requireArray('$allElementsTrue', a, 'Location17040').every(truthy);
  },
  $anyElementTrue: (obj, expr, options) => {
    const [a] = evalArgs(obj, expr, options);
    return requireArray('$anyElementTrue', a, 'Location17041').some(truthy);
  },
};

const $in: ExpressionFn = (obj, expr, options) => {
  const args = evalArgs(obj, expr, options);
  argCount('$in', args, 2);
  const [v, list] = args;
  if (!Array.isArray(list))
    fail('Location40081', `$in requires an array as a second argument, found: ${typeAlias(list)}`);
  return list.some((e) => equalAgg(e, v));
};

const $indexOfArray: ExpressionFn = (obj, expr, options) => {
  const args = evalArgs(obj, expr, options);
  argCount('$indexOfArray', args, 2, 4);
  const [arr, search] = args;
  if (isNullish(arr)) return null;
  requireArray('$indexOfArray', arr, 'Location40090', 'first argument');
  const bound = (v: unknown, dflt: number): number => {
    const i = n.integralOf(v);
    if (i === undefined || i < 0n)
      fail('Location40096', '$indexOfArray requires an integral, non-negative index');
    return Number(i > BigInt(dflt) ? BigInt(dflt) : i);
  };
  const list = arr as unknown[];
  const start = args.length > 2 ? bound(args[2], list.length) : 0;
  const end = args.length > 3 ? bound(args[3], list.length) : list.length;
  for (let i = start; i < end; i++) if (equalAgg(list[i], search)) return i;
  return -1;
};

/** $filter with mongod's truthiness for `cond` (a Long 0 drops the element). */
const $filter: ExpressionFn = (obj, expr, options) => {
  if (!isPlainObject(expr)) fail('Location28646', '$filter only supports an object as its argument');
  const input = evalExpr(obj, expr.input, options);
  if (isNullish(input)) return null;
  const list = requireArray('$filter', input, 'Location28651', 'input');
  const name = typeof expr.as === 'string' ? expr.as : 'this';
  let limit = Number.POSITIVE_INFINITY;
  if (expr.limit !== undefined) {
    const l = evalExpr(obj, expr.limit, options);
    if (!isNullish(l)) {
      const i = n.integralOf(l);
      if (i === undefined || i <= 0n)
        fail('Location327392', '$filter: limit must be a positive integral value');
      limit = Number(i);
    }
  }
  const out: unknown[] = [];
  for (const item of list) {
    if (out.length >= limit) break;
    const opts = withLocals(options, { variables: { [name]: item } });
    if (truthy(evalExpr(obj, expr.cond, opts))) out.push(item);
  }
  return out;
};

/** {n, input} of $maxN / $minN / $firstN / $lastN as a positive count. */
function countArg(op: string, v: unknown): number {
  const i = n.integralOf(v);
  if (i === undefined || i <= 0n) fail('Location5787908', `'n' must be a positive integer for ${op}`);
  return Number(i);
}

function nExtremes(op: string, dir: 1 | -1): ExpressionFn {
  return (obj, expr, options) => {
    if (!isPlainObject(expr))
      fail('Location5787900', `specification must be an object; found ${typeAlias(expr)}`);
    const count = countArg(op, evalExpr(obj, expr.n, options));
    const input = evalExpr(obj, expr.input, options);
    if (isNullish(input)) return null;
    const list = requireArray(op, input, 'Location5788200', 'input');
    return list
      .filter((v) => !isNullish(v))
      .sort((a, b) => compareAgg(a, b) * dir)
      .slice(0, count);
  };
}

const $sortArray: ExpressionFn = (obj, expr, options) => {
  if (!isPlainObject(expr)) fail('Location2942500', '$sortArray requires an object as an argument');
  const input = evalExpr(obj, expr.input, options);
  if (isNullish(input)) return null;
  const list = requireArray('$sortArray', input, 'Location2942504', 'input');
  const spec = expr.sortBy;
  if (isPlainObject(spec)) {
    const fields = Object.entries(spec).map(([k, d]) => [k.split('.'), n.doubleOf(d) < 0 ? -1 : 1] as const);
    const field = (v: unknown, path: readonly string[]): unknown =>
      path.reduce<unknown>((cur, p) => (isPlainObject(cur) ? cur[p] : undefined), v);
    return [...list].sort((a, b) => {
      for (const [path, dir] of fields) {
        const c = compareAgg(field(a, path), field(b, path));
        if (c !== 0) return c * dir;
      }
      return 0;
    });
  }
  const dir = n.doubleOf(spec) < 0 ? -1 : 1;
  return [...list].sort((a, b) => compareAgg(a, b) * dir);
};

// ---- accumulators used as expressions -------------------------------------------------------------------

/** The values of `{$sum: ...}` as an expression: one operand that is an array is traversed, a list is not. */
function accumulatorValues(obj: unknown, expr: unknown, options: Options): unknown[] {
  const args = evalArgs(obj, expr, options);
  return args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
}

function minMax(dir: 1 | -1) {
  return (values: unknown[]): unknown => {
    let best: unknown;
    for (const v of values)
      if (!isNullish(v) && (best === undefined || compareAgg(v, best) * dir > 0)) best = v;
    return best === undefined ? null : best;
  };
}

export const maxOf = minMax(1);
export const minOf = minMax(-1);

const ACCUMULATING: Record<string, ExpressionFn> = {
  $sum: (obj, expr, options) => {
    const s = new sums.Summer();
    for (const v of accumulatorValues(obj, expr, options)) s.add(v);
    return s.value();
  },
  $avg: (obj, expr, options) => {
    const s = new sums.Averager();
    for (const v of accumulatorValues(obj, expr, options)) s.add(v);
    return s.value();
  },
  $max: (obj, expr, options) => maxOf(accumulatorValues(obj, expr, options)),
  $min: (obj, expr, options) => minOf(accumulatorValues(obj, expr, options)),
  $stdDevPop: (obj, expr, options) => {
    const s = new sums.StdDev();
    for (const v of accumulatorValues(obj, expr, options)) s.add(v);
    return s.value(false);
  },
  $stdDevSamp: (obj, expr, options) => {
    const s = new sums.StdDev();
    for (const v of accumulatorValues(obj, expr, options)) s.add(v);
    return s.value(true);
  },
};

// ---- mingo's operators with numeric arguments -----------------------------------------------------------

/** A number mingo can use: the double equal to it, or an error when no double is (never a wrong result). */
function plainNumber(v: unknown, op: string): unknown {
  if (!isWrappedNumber(v)) return v;
  const d = exactDouble(v);
  if (d === undefined) unsupported(`a Long or Decimal128 argument beyond double precision in ${op}`);
  return d;
}

/**
 * mingo's operator, with its top-level numeric arguments (an index, a count, an amount) made plain numbers;
 * arrays and documents among the arguments are passed through untouched, so their values keep their types.
 */
function withPlainArguments(op: string, fn: ExpressionFn, result?: (v: unknown) => unknown): ExpressionFn {
  return (obj, expr, options) => {
    const v = evalExpr(obj, expr, options);
    let literal: unknown;
    if (Array.isArray(expr)) literal = (v as unknown[]).map((a) => ({ $literal: plainNumber(a, op) }));
    else if (isPlainObject(expr) && isPlainObject(v))
      literal = Object.fromEntries(Object.entries(v).map(([k, a]) => [k, { $literal: plainNumber(a, op) }]));
    else literal = { $literal: plainNumber(v, op) };
    const r = fn(obj, literal, options);
    return result ? result(r) : r;
  };
}

const PLAIN_ARGUMENT_OPERATORS = [
  '$arrayElemAt',
  '$slice',
  '$firstN',
  '$lastN',
  '$range',
  '$substr',
  '$substrBytes',
  '$substrCP',
  '$indexOfBytes',
  '$indexOfCP',
  '$dateAdd',
  '$dateSubtract',
  '$dateFromParts',
  '$dateTrunc',
  '$sampleRate',
];

function mingoOperator(name: string): ExpressionFn {
  return (mingoExpressions as unknown as Record<string, ExpressionFn>)[name]!;
}

const ADAPTED: Record<string, ExpressionFn> = Object.fromEntries(
  PLAIN_ARGUMENT_OPERATORS.map((op) => [op, withPlainArguments(op, mingoOperator(op))]),
);
// mongod answers $dateDiff with a long.
ADAPTED.$dateDiff = withPlainArguments('$dateDiff', mingoOperator('$dateDiff'), (r) =>
  typeof r === 'number' ? n.makeLong(BigInt(Math.trunc(r))) : r,
);

/** The typed expression operators, by name (they replace mingo's). */
export const EXPRESSION_OPERATORS: Record<string, ExpressionFn> = {
  ...ARITHMETIC,
  ...BITWISE,
  ...LOGIC,
  ...SETS,
  $in,
  $indexOfArray,
  $filter,
  $maxN: nExtremes('$maxN', -1),
  $minN: nExtremes('$minN', 1),
  $sortArray,
  ...TYPES,
  ...HASHING,
  ...ACCUMULATING,
  ...ADAPTED,
};
