/**
 * The mingo operator set the emulator runs aggregation, `$expr`, projection expressions and pipeline
 * updates with: mingo's operators, with ours (typed numbers, exact comparison) in place of the ones that
 * compare, hash or compute numbers. Built on first use, so the modules can import each other freely.
 */
import type { Document } from 'bson';
import { Context, evalExpr } from 'mingo/core';
import * as mingoAccumulators from 'mingo/operators/accumulator';
import * as mingoExpressions from 'mingo/operators/expression';
import * as mingoPipeline from 'mingo/operators/pipeline';
import * as mingoProjection from 'mingo/operators/projection';
import * as mingoQuery from 'mingo/operators/query';
import * as mingoWindow from 'mingo/operators/window';
import { Query as BaseQuery } from 'mingo/query';
import { unsupported } from '../errors.js';
import { ACCUMULATORS, PERCENTILE_EXPRESSIONS } from './accumulators.js';
import type { ComputeOptionsClass, Options } from './evaluate.js';
import { EXPRESSION_OPERATORS } from './expressions.js';
import { compileSchema } from './jsonSchema.js';
import { EXACT_QUERY_OPERATORS } from './queryOps.js';
import { STAGES } from './stages.js';

/** What mingo always runs with in the emulator (no scripts, mongod's strict semantics). */
export const MINGO_OPTIONS = {
  useStrictMode: true,
  scriptEnabled: false,
  jsonSchemaValidator: (schema: Document) => compileSchema(schema) as (o: Document) => boolean,
} as const;

type Operator = (target: unknown, expr: unknown, options: Options) => unknown;

/**
 * mingo evaluates accumulator specs (e.g. $bucketAuto's `output`) as expressions over the array of grouped
 * documents; for a name that is both, an array target means the accumulator (a document never is one).
 */
function expressionOrAccumulator(expression: Operator, accumulator: Operator): Operator {
  return (target, expr, options) =>
    Array.isArray(target) ? accumulator(target, expr, options) : expression(target, expr, options);
}

/**
 * mingo's $setWindowFields and $fill compute their output through an internal `$function` with a JS
 * function as body; those run. A `$function` from a client never reaches here (assertSupported rejects it),
 * and its body would be a string or BSON Code anyway.
 */
const $function: Operator = (target, expr, options) => {
  const spec = expr as { body?: unknown; args?: unknown };
  if (typeof spec?.body !== 'function') unsupported('the $function operator');
  const args = evalExpr(target, spec.args ?? [], options) as unknown[];
  return (spec.body as (...a: unknown[]) => unknown)(...args);
};

let typed: Context | undefined;

export function typedContext(): Context {
  if (typed) return typed;
  // mingo types its operators with narrower targets (AnyObject, arrays); here they are only dispatched.
  const accumulators = { ...mingoAccumulators, ...ACCUMULATORS } as unknown as Record<string, Operator>;
  const expressions = {
    ...mingoExpressions,
    ...EXPRESSION_OPERATORS,
    ...PERCENTILE_EXPRESSIONS,
    $function,
  } as unknown as Record<string, Operator>;
  for (const name of Object.keys(expressions))
    if (name in accumulators)
      expressions[name] = expressionOrAccumulator(expressions[name]!, accumulators[name]!);
  typed = Context.init({
    accumulator: accumulators,
    expression: expressions,
    pipeline: { ...mingoPipeline, ...STAGES },
    projection: mingoProjection,
    query: EXACT_QUERY_OPERATORS,
    window: mingoWindow,
  } as unknown as Parameters<typeof Context.init>[0]);
  return typed;
}

/** Options for mingo's Query/Aggregator with the typed operators (plus any of mingo's options; a collation's context). */
export function typedOptions(extra: Partial<Options> = {}): Options {
  return { ...MINGO_OPTIONS, context: typedContext(), ...extra } as Options;
}

/**
 * mingo's ComputeOptions class, which it does not export: a query operator is handed an instance, so
 * one query with a probe operator of a context of its own (never a client's) gives the class.
 */
function computeOptionsClass(): ComputeOptionsClass {
  let found: ComputeOptionsClass | undefined;
  const probe = (_field: string, _value: unknown, options: Options) => {
    found = options.constructor as unknown as ComputeOptionsClass;
    return () => true;
  };
  const context = Context.init({ query: { $probe: probe } } as unknown as Parameters<typeof Context.init>[0]);
  new BaseQuery({ field: { $probe: 1 } }, { context } as Options);
  if (!found) throw new Error('mingo did not hand its query operator the compute options');
  return found;
}

let prepared: { typed: Options; plain: Options } | undefined;

/**
 * Options a query (`mingo/query`'s Query) takes as they are: given plain options, mingo copies its
 * whole operator set (hundreds of entries) into a new context for every query, which was most of the
 * cost of compiling a filter; given its own ComputeOptions, each query shares the context and gets
 * locals of its own. `typed`: the emulator's typed operators (typedOptions); else mingo's own set,
 * as `new Query(filter, MINGO_OPTIONS)` from 'mingo' runs with.
 */
export function queryOptions(typed: boolean): Options {
  if (!prepared) {
    const ComputeOptions = computeOptionsClass();
    const mingoDefaults = Context.init({
      accumulator: mingoAccumulators,
      expression: mingoExpressions,
      pipeline: mingoPipeline,
      projection: mingoProjection,
      query: mingoQuery,
      window: mingoWindow,
    } as unknown as Parameters<typeof Context.init>[0]);
    prepared = {
      typed: ComputeOptions.init(typedOptions()),
      plain: ComputeOptions.init({ ...MINGO_OPTIONS, context: mingoDefaults } as Options),
    };
  }
  return typed ? prepared.typed : prepared.plain;
}
