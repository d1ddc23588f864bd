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
import * as mingoWindow from 'mingo/operators/window';
import { unsupported } from '../errors.js';
import { ACCUMULATORS, PERCENTILE_EXPRESSIONS } from './accumulators.js';
import type { Options } from './evaluate.js';
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
