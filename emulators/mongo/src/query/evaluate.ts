/**
 * The few pieces of mingo's evaluation machinery the typed operators need: evaluating an expression against
 * a document (as `$$ROOT`) or against each item of a group, and reading the options mingo hands operators.
 */
import { evalExpr } from 'mingo/core';
import type { Options } from 'mingo/types';
import { fail } from '../errors.js';
import { numKind } from './numeric.js';

export type { Options };

/** An aggregation expression operator as mingo calls it. */
export type ExpressionFn = (obj: unknown, expr: unknown, options: Options) => unknown;

export const isNullish = (v: unknown): boolean => v === null || v === undefined;
export const isNumber = (v: unknown): boolean => numKind(v) !== undefined;

/** mongod's arity check (code 16020). */
export function argCount(op: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `exactly ${min}` : `${min}-${max}`;
    fail('Location16020', `Expression ${op} takes ${want} arguments. ${args.length} were passed in.`);
  }
}

/**
 * What mingo passes operators at run time: a ComputeOptions instance (not exported by mingo), i.e. the
 * options plus "locals" (root document, $let/$lookup variables, group id).
 */
export interface ComputeOptionsLike extends Options {
  readonly options: Options;
  readonly local: { root?: unknown; variables?: Record<string, unknown>; groupId?: unknown };
  update(locals: Record<string, unknown>): ComputeOptionsLike;
}

export interface ComputeOptionsClass {
  init(options: Options): ComputeOptionsLike;
}

function isComputeOptions(o: Options): o is ComputeOptionsLike {
  return typeof (o as Partial<ComputeOptionsLike>).update === 'function';
}

/** A private copy of the options with new locals (mingo mutates the copy it evaluates with). */
export function withLocals(options: Options, locals: Record<string, unknown>): Options {
  if (!isComputeOptions(options)) return { ...options, ...locals };
  const C = options.constructor as unknown as ComputeOptionsClass;
  return C.init(options).update(locals);
}

/** Evaluates `expr` once per item, each item being `$$ROOT` and `$$CURRENT` (like mingo's accumulators). */
export function evaluator(expr: unknown, options: Options): (item: unknown) => unknown {
  if (!isComputeOptions(options)) return (item) => evalExpr(item, expr, options);
  const C = options.constructor as unknown as ComputeOptionsClass;
  const copts = C.init(options);
  return (item) => evalExpr(item, expr, copts.update({ root: item }));
}

/** The evaluated operands of an n-ary operator: a list is its elements, anything else one operand. */
export function evalArgs(obj: unknown, expr: unknown, options: Options): unknown[] {
  const v = evalExpr(obj, expr, options);
  return Array.isArray(expr) ? (v as unknown[]) : [v];
}

/** Options for running a sub-pipeline with extra variables ($lookup's `let`). */
export function withVariables(options: Options, variables: Record<string, unknown>): Options {
  const base = isComputeOptions(options) ? options.options : options;
  const local = isComputeOptions(options) ? options.local.variables : undefined;
  return { ...base, variables: { ...base.variables, ...local, ...variables } };
}
