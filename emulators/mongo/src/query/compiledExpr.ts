/**
 * A faster path for `$expr` filters: the expression compiled once into closures, instead of mingo walking
 * it for every document (about 5 µs per operator here, which made a change-stream filter of a dozen
 * operators cost more than the event). Only a known subset compiles: field paths, literals, arrays,
 * `$literal`, `$let`, `$cond`, `$ifNull`, `$and`, `$or`, and leaf operators that only look at their
 * argument values. Leaves run the emulator's own operator implementations on the evaluated values, so
 * results and errors are the same as on the mingo path; anything else returns undefined and the
 * caller keeps mingo.
 */
import { isPlainObject } from '../bsonUtil.js';
import * as arith from './arithmetic.js';
import { typedOptions } from './context.js';
import { type ExpressionFn, isNumber, type Options } from './evaluate.js';
import { EXPRESSION_OPERATORS } from './expressions.js';
import { hashedIndexKey } from './hashedIndexKey.js';
import { typeAlias } from './typeNames.js';
import { equalAgg, truthy } from './values.js';

type Vars = ReadonlyMap<string, unknown>;
type Compiled = (root: unknown, vars: Vars) => unknown;

/** Leaf operators that evaluate their arguments and nothing else: safe to hand evaluated values. */
const LEAVES = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$cmp',
  '$in',
  '$not',
  '$type',
  '$isNumber',
  '$mod',
  '$abs',
  '$add',
  '$subtract',
  '$multiply',
  '$toString',
  '$toLong',
  '$toInt',
  '$toDouble',
  '$toHashedIndexKey',
]);

/** Compiles `expr`, or returns undefined when it uses something outside the subset. */
export function compileExpression(expr: unknown): ((root: unknown) => unknown) | undefined {
  const compiled = compile(expr, new Set());
  if (!compiled) return undefined;
  const empty: Vars = new Map();
  return (root) => compiled(root, empty);
}

/** A `$expr` predicate over typed documents, or undefined (see compileExpression). */
export function compileExprPredicate(expr: unknown): ((doc: unknown) => boolean) | undefined {
  const compiled = compileExpression(expr);
  return compiled && ((doc) => truthy(compiled(doc)));
}

function compile(expr: unknown, scope: ReadonlySet<string>): Compiled | undefined {
  if (typeof expr === 'string') return expr.startsWith('$') ? compilePath(expr, scope) : () => expr;
  if (Array.isArray(expr)) {
    const items = compileAll(expr, scope);
    return items && ((root, vars) => items.map((item) => item(root, vars)));
  }
  if (!isPlainObject(expr)) return () => expr; // numbers, booleans, null, dates, BSON values
  const keys = Object.keys(expr);
  if (keys.length !== 1 || !keys[0]!.startsWith('$')) return undefined; // expression objects: mingo
  const op = keys[0]!;
  const arg = expr[op];
  switch (op) {
    case '$literal':
      return () => arg;
    case '$let':
      return compileLet(arg, scope);
    case '$cond':
      return compileCond(arg, scope);
    case '$ifNull':
      return compileIfNull(arg, scope);
    case '$and':
    case '$or':
      return compileLogic(op, arg, scope);
    default:
      return LEAVES.has(op) ? compileLeaf(op, arg, scope) : undefined;
  }
}

function compileAll(exprs: unknown[], scope: ReadonlySet<string>): Compiled[] | undefined {
  const out: Compiled[] = [];
  for (const e of exprs) {
    const c = compile(e, scope);
    if (!c) return undefined;
    out.push(c);
  }
  return out;
}

/** `$a.b` (the document) or `$$name.a` (a `$let` variable, `$$ROOT`, `$$CURRENT`). */
function compilePath(path: string, scope: ReadonlySet<string>): Compiled | undefined {
  if (!path.startsWith('$$')) {
    const parts = path.slice(1).split('.');
    return (root) => valueAtPath(root, parts, 0);
  }
  const [name, ...parts] = path.slice(2).split('.');
  if (name === 'ROOT' || name === 'CURRENT') return (root) => valueAtPath(root, parts, 0);
  if (!name || !scope.has(name)) return undefined; // $$NOW, $$REMOVE, user `let` variables: mingo
  return (_root, vars) => valueAtPath(vars.get(name), parts, 0);
}

/**
 * A field path as the mingo path resolves it: through documents, and element-wise through an array's
 * documents (missing dropped, scalars skipped). An array nested in the array is kept as it is, like mingo
 * does (mongod would descend into it too); one behaviour for both paths until that is fixed in both.
 */
function valueAtPath(value: unknown, parts: string[], i: number): unknown {
  if (i === parts.length) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const element of value) {
      if (Array.isArray(element)) out.push(element);
      else if (isPlainObject(element)) {
        const v = valueAtPath(element, parts, i);
        if (v !== undefined) out.push(v);
      }
    }
    return out;
  }
  if (!isPlainObject(value)) return undefined;
  return valueAtPath(value[parts[i]!], parts, i + 1);
}

function compileLet(arg: unknown, scope: ReadonlySet<string>): Compiled | undefined {
  if (!isPlainObject(arg) || !isPlainObject(arg.vars) || !('in' in arg) || Object.keys(arg).length !== 2) {
    return undefined;
  }
  const names = Object.keys(arg.vars);
  // Variable definitions see the outer scope; `in` sees them too.
  const values = compileAll(
    names.map((name) => (arg.vars as Record<string, unknown>)[name]),
    scope,
  );
  const body = compile(arg.in, new Set([...scope, ...names]));
  if (!values || !body || names.some((name) => !/^[a-z][A-Za-z0-9_]*$/.test(name))) return undefined;
  return (root, vars) => {
    const inner = new Map(vars);
    for (let i = 0; i < names.length; i++) inner.set(names[i]!, values[i]!(root, vars));
    return body(root, inner);
  };
}

function compileCond(arg: unknown, scope: ReadonlySet<string>): Compiled | undefined {
  let branches: unknown[];
  if (Array.isArray(arg)) branches = arg;
  else if (
    isPlainObject(arg) &&
    Object.keys(arg).length === 3 &&
    'if' in arg &&
    'then' in arg &&
    'else' in arg
  ) {
    branches = [arg.if, arg.then, arg.else];
  } else return undefined;
  if (branches.length !== 3) return undefined;
  const [test, yes, no] = compileAll(branches, scope) ?? [];
  if (!test || !yes || !no) return undefined;
  return (root, vars) => (truthy(test(root, vars)) ? yes(root, vars) : no(root, vars));
}

/** The first argument that is neither null nor missing; else the last one's value. */
function compileIfNull(arg: unknown, scope: ReadonlySet<string>): Compiled | undefined {
  if (!Array.isArray(arg) || arg.length < 2) return undefined;
  const items = compileAll(arg, scope);
  if (!items) return undefined;
  const last = items.length - 1;
  return (root, vars) => {
    for (let i = 0; i < last; i++) {
      const v = items[i]!(root, vars);
      if (v !== null && v !== undefined) return v;
    }
    return items[last]!(root, vars);
  };
}

function compileLogic(op: '$and' | '$or', arg: unknown, scope: ReadonlySet<string>): Compiled | undefined {
  const items = compileAll(Array.isArray(arg) ? arg : [arg], scope);
  if (!items) return undefined;
  return op === '$and'
    ? (root, vars) => items.every((item) => truthy(item(root, vars)))
    : (root, vars) => items.some((item) => truthy(item(root, vars)));
}

let options: Options | undefined;

/**
 * A leaf: its arguments compiled, then the emulator's own operator run on their values (as literals, in
 * the argument shape written), so types, errors and argument checks stay exactly as on the mingo path.
 * The hottest ones skip that hop when their shape is the plain one.
 */
function compileLeaf(op: string, arg: unknown, scope: ReadonlySet<string>): Compiled | undefined {
  const list = Array.isArray(arg);
  const args = compileAll(list ? (arg as unknown[]) : [arg], scope);
  if (!args) return undefined;
  if (op === '$toHashedIndexKey' && !list) return (root, vars) => hashedIndexKey(args[0]!(root, vars));
  if (op === '$type' && (!list || args.length === 1)) return (root, vars) => typeAlias(args[0]!(root, vars));
  if (op === '$eq' && args.length === 2) {
    return (root, vars) => equalAgg(args[0]!(root, vars), args[1]!(root, vars));
  }
  const implementation = EXPRESSION_OPERATORS[op] as ExpressionFn | undefined;
  if (!implementation) return undefined;
  const viaImplementation = (root: unknown, values: unknown[]): unknown => {
    options ??= typedOptions();
    const literals = values.map((value) => ({ $literal: value }));
    return implementation(root, list ? literals : literals[0], options);
  };
  const fast = list || args.length === 1 ? FAST_LEAVES[op] : undefined;
  if (!fast)
    return (root, vars) =>
      viaImplementation(
        root,
        args.map((a) => a(root, vars)),
      );
  return (root, vars) => {
    const values = args.map((a) => a(root, vars));
    const result = fast(values);
    return result === UNHANDLED ? viaImplementation(root, values) : result;
  };
}

/** Marks a value a fast leaf leaves to the implementation (errors, unusual types). */
const UNHANDLED = Symbol('unhandled');

/** The common cases of hot leaves, computed as the implementations do; anything else goes to them. */
const FAST_LEAVES: Record<string, (values: unknown[]) => unknown> = {
  $in: ([value, list, ...rest]) =>
    rest.length === 0 && Array.isArray(list) ? list.some((e) => equalAgg(e, value)) : UNHANDLED,
  $mod: ([a, b, ...rest]) => (rest.length === 0 && isNumber(a) && isNumber(b) ? arith.mod(a, b) : UNHANDLED),
  $toString: ([value, ...rest]) => {
    if (rest.length > 0) return UNHANDLED;
    if (value === null || value === undefined) return null;
    return typeof value === 'string' ? value : UNHANDLED; // an ObjectId's hex etc.: the implementation's
  },
};
