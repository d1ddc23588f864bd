/**
 * Command-level `let` (mongod 5.0+: aggregate, find, update, delete, findAndModify): user variables that
 * `$$name` reads in `$expr`, pipeline updates and aggregation expressions.
 *
 * Aggregation pipelines get them as mingo variables. Filters and updates are answered by code that has no
 * variables (the store's reads, the update engine), so there the variables are bound into the command's
 * own expressions instead: each `$expr` and each pipeline-update expression is wrapped in
 * `{$let: {vars: {name: {$literal: value}}, in: <expr>}}`, which gives it the same meaning. Commands
 * without `let` never come here.
 */
import type { Document } from 'bson';
import { evalExpr } from 'mingo/core';
import { isPlainObject } from '../bsonUtil.js';
import { fail, toServerError } from '../errors.js';
import { typedOptions } from './context.js';

export type LetVariables = Record<string, unknown>;

/** mongod's Variables::validateNameForUserWrite: lowercase (or non-ASCII) first, then [A-Za-z0-9_]. */
function validateName(name: string): void {
  if (name.length === 0) fail('Location16866', 'empty variable names are not allowed');
  const first = name.charCodeAt(0);
  if (!((first >= 97 && first <= 122) || first > 127))
    fail('Location16867', `'${name}' starts with an invalid character for a user variable name`);
  for (const c of name) {
    const code = c.charCodeAt(0);
    const ok =
      (code >= 97 && code <= 122) ||
      (code >= 65 && code <= 90) ||
      (code >= 48 && code <= 57) ||
      c === '_' ||
      code > 127;
    if (!ok) fail('Location16868', `'${name}' contains an invalid character for a variable name: '${c}'`);
  }
}

/** True when an expression reads a field of the current document (`$a`, not `$$var`). */
function readsField(expr: unknown): boolean {
  if (typeof expr === 'string') return expr.startsWith('$') && !expr.startsWith('$$');
  if (Array.isArray(expr)) return expr.some(readsField);
  if (!isPlainObject(expr)) return false;
  if ('$literal' in expr) return false;
  return Object.values(expr).some(readsField);
}

/**
 * The command's `let`, validated and evaluated once (its values are expressions, `$$NOW` included), or
 * undefined when the command has none.
 */
export function parseLet(command: string, raw: unknown): LetVariables | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw))
    fail(
      'TypeMismatch',
      `BSON field '${command}.let' is the wrong type '${typeof raw}', expected type 'object'`,
    );
  const out: LetVariables = {};
  const options = typedOptions();
  for (const [name, expr] of Object.entries(raw)) {
    validateName(name);
    if (readsField(expr))
      fail(
        'Location4890500',
        'Command let Expression tried to access a field, but this is not allowed because command let expressions run before the query examines any documents.',
      );
    try {
      out[name] = evalExpr({}, expr, options);
    } catch (err) {
      throw toServerError(err);
    }
  }
  return out;
}

function bind(expr: unknown, vars: LetVariables): Document {
  const bound: Document = {};
  for (const [k, v] of Object.entries(vars)) bound[k] = { $literal: v };
  return { $let: { vars: bound, in: expr } };
}

/** A query filter whose `$expr`s (also under `$and`/`$or`/`$nor`) see the variables. */
export function bindFilter<T extends Document | undefined>(filter: T, vars: LetVariables | undefined): T {
  if (!vars || !isPlainObject(filter)) return filter;
  const out: Document = {};
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$expr') out[k] = bind(v, vars);
    else if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v))
      out[k] = v.map((sub) => bindFilter(sub as Document, vars));
    else out[k] = v;
  }
  return out as T;
}

/** Binds the expressions of a stage's `{field: expr}` spec; nested field specs are walked, 0/1 kept. */
function bindFields(spec: unknown, vars: LetVariables, inclusions: boolean): unknown {
  if (!isPlainObject(spec)) return spec;
  const out: Document = {};
  for (const [k, v] of Object.entries(spec)) {
    if (inclusions && (typeof v === 'number' || typeof v === 'boolean')) out[k] = v;
    else if (isPlainObject(v) && !Object.keys(v).some((n) => n.startsWith('$')))
      out[k] = bindFields(v, vars, inclusions);
    else out[k] = bind(v, vars);
  }
  return out;
}

/** An update: a pipeline's expressions see the variables (operator updates have none; `$expr` is in q). */
export function bindUpdate<T>(update: T, vars: LetVariables | undefined): T {
  if (!vars || !Array.isArray(update)) return update;
  return update.map((stage: unknown) => {
    if (!isPlainObject(stage)) return stage;
    const [op] = Object.keys(stage);
    const arg = stage[op!];
    switch (op) {
      case '$set':
      case '$addFields':
        return { [op]: bindFields(arg, vars, false) };
      case '$project':
        return { [op]: bindFields(arg, vars, true) };
      case '$replaceRoot':
        return isPlainObject(arg) ? { [op]: { ...arg, newRoot: bind(arg.newRoot, vars) } } : stage;
      case '$replaceWith':
        return { [op]: bind(arg, vars) };
      default:
        return stage;
    }
  }) as T;
}

/**
 * mongod takes `let` per command, not per statement: a statement's `let` is an unknown field, which fails the
 * whole command when it is parsed (before any statement runs).
 */
export function refuseStatementLet(command: string, field: string, statements: unknown): void {
  if (!Array.isArray(statements)) return;
  for (const s of statements)
    if (isPlainObject(s) && 'let' in s)
      fail('Location40415', `BSON field '${command}.${field}.let' is an unknown field.`);
}
