/**
 * Pipeline stages that compare, group or join values, reimplemented on typed documents so they follow mongod:
 * numbers equal by value across types (`_id: 5` and `_id: Long(5)` are one group), exact order for Long and
 * Decimal128, mongod's sort semantics. The other stages are mingo's; the few that interpret numbers
 * themselves ($bucketAuto, $setWindowFields, $densify, $fill) refuse Long/Decimal128/integral-double input
 * they would get wrong.
 */
import type { Document } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import { evalExpr } from 'mingo/core';
import { type Iterator, Lazy } from 'mingo/lazy';
import * as mingoPipeline from 'mingo/operators/pipeline';
import { clone, isPlainObject, keyOf, pathValues } from '../bsonUtil.js';
import { fail, unsupported } from '../errors.js';
import { exactDouble, isWrappedNumber } from '../numbers.js';
import type { AccumulatorFn } from './accumulators.js';
import { collatorOf } from './collator.js';
import { evaluator, type Options, withLocals, withVariables } from './evaluate.js';
import { compileFilter } from './match.js';
import { makeLong } from './numeric.js';
import { sortDocuments } from './sort.js';
import { compareAgg } from './values.js';

export type StageFn = (coll: Iterator, expr: unknown, options: Options) => Iterator;

function spec(stage: string, expr: unknown): Document {
  if (!isPlainObject(expr)) fail('Location15955', `${stage} specification must be an object`);
  return expr;
}

function accumulator(options: Options, name: string): AccumulatorFn {
  const fn = options.context.getOperator('accumulator' as never, name) as AccumulatorFn | null;
  if (!fn) fail('Location15952', `unknown group operator '${name}'`);
  return fn;
}

/** Applies `{field: {$acc: expr}}` output specs to one group of documents. */
function accumulate(out: Document, docs: unknown[], fields: Document, options: Options): Document {
  for (const [field, acc] of Object.entries(fields)) {
    if (!isPlainObject(acc) || Object.keys(acc).length !== 1)
      fail('Location40234', `The field '${field}' must be an accumulator object`);
    const [op] = Object.keys(acc) as [string];
    out[field] = accumulator(options, op)(docs, acc[op], options);
  }
  return out;
}

interface Group {
  readonly id: unknown;
  readonly docs: unknown[];
}

/**
 * Groups by value, numbers equal across types. Strings and numbers (as the double equal to them) are native
 * Map keys (they never collide with each other; -0 is 0 and NaN is NaN there); other values go by keyOf.
 */
class Groups {
  private readonly scalars = new Map<string | number, Group>();
  private readonly others = new Map<string | number, Group>();
  readonly all: Group[] = [];

  /** `stringKey`: a collation's equality key (strings it finds equal are one group). */
  constructor(private readonly stringKey?: (s: string) => string) {}

  add(id: unknown, doc: unknown): void {
    const d = typeof id === 'number' || isWrappedNumber(id) ? exactDouble(id) : undefined;
    const scalar = typeof id === 'string' ? (this.stringKey ? this.stringKey(id) : id) : d;
    const map = scalar === undefined ? this.others : this.scalars;
    const k = scalar ?? keyOf(id);
    const g = map.get(k);
    if (g) g.docs.push(doc);
    else {
      const created = { id, docs: [doc] };
      map.set(k, created);
      this.all.push(created);
    }
  }
}

/** $group: groups by the exact value of `_id` (missing groups with null), in first-seen order. */
const $group: StageFn = (coll, expr, options) => {
  const s = spec('$group', expr);
  if (!('_id' in s)) fail('Location15955', 'a group specification must include an _id');
  const { _id: idExpr, ...fields } = s;
  return coll.transform((items: unknown[]) => {
    const groups = new Groups(collatorOf(options)?.key);
    const idOf = evaluator(idExpr, options);
    for (const item of items) groups.add(idOf(item) ?? null, item);
    const out: Document[] = [];
    for (const g of groups.all)
      out.push(accumulate({ _id: g.id }, g.docs, fields, withLocals(options, { root: null, groupId: g.id })));
    return Lazy(out);
  });
};

const $sort: StageFn = (coll, expr, options) => {
  const s = spec('$sort', expr);
  if (Object.keys(s).length === 0) fail('Location15976', '$sort stage must have at least one sort key');
  const compare = collatorOf(options)?.compare;
  return coll.transform((items: Document[]) => Lazy(sortDocuments(items, s, compare)));
};

const $match: StageFn = (coll, expr, options) => {
  const predicate = compileFilter(spec('$match', expr), options);
  return coll.filter((o: Document) => predicate(o));
};

const $sortByCount: StageFn = (coll, expr, options) =>
  $sort($group(coll, { _id: expr, count: { $sum: 1 } }, options), { count: -1 }, options);

/** $bucket: boundaries compared by value, buckets (and then the default one) ordered by their _id. */
const $bucket: StageFn = (coll, expr, options) => {
  const s = spec('$bucket', expr);
  const bounds = s.boundaries;
  if (!Array.isArray(bounds) || bounds.length < 2)
    fail('Location40192', "The $bucket 'boundaries' field must be an array with at least two values");
  for (let i = 1; i < bounds.length; i++)
    if (compareAgg(bounds[i - 1], bounds[i]) >= 0)
      fail('Location40194', "The 'boundaries' option to $bucket must be sorted in ascending order");
  const hasDefault = 'default' in s;
  const output = isPlainObject(s.output) ? s.output : { count: { $sum: 1 } };
  return coll.transform((items: unknown[]) => {
    const buckets = new Map<number, unknown[]>();
    const groupOf = evaluator(s.groupBy, options);
    for (const item of items) {
      const v = groupOf(item) ?? null;
      let i = -1;
      if (compareAgg(v, bounds[0]) >= 0 && compareAgg(v, bounds[bounds.length - 1]) < 0)
        while (compareAgg(v, bounds[i + 1]) >= 0) i++;
      if (i === -1 && !hasDefault)
        fail(
          'Location40066',
          '$switch could not find a matching branch for an input, and no default was specified.',
        );
      const list = buckets.get(i) ?? [];
      list.push(item);
      buckets.set(i, list);
    }
    const out = [...buckets.entries()].map(([i, docs]) => {
      const id = i === -1 ? s.default : bounds[i];
      return accumulate({ _id: id }, docs, output, withLocals(options, { root: null, groupId: id }));
    });
    return Lazy(out.sort((a, b) => compareAgg(a._id, b._id)));
  });
};

function resolveCollection(stage: string, name: unknown, options: Options): unknown[] {
  if (typeof name !== 'string') fail('FailedToParse', `${stage} 'from' must be a collection name`);
  return options.collectionResolver?.(name) ?? [];
}

/** Documents indexed by the values at `path` (array elements one by one, missing as null). */
function indexBy(docs: unknown[], path: string): Map<string, unknown[]> {
  const index = new Map<string, unknown[]>();
  for (const d of docs)
    for (const k of new Set(pathValues(d, path).map(keyOf))) {
      const list = index.get(k);
      if (list) list.push(d);
      else index.set(k, [d]);
    }
  return index;
}

/** Foreign documents matching any of `values`, in the foreign collection's order. */
function matching(index: Map<string, unknown[]>, values: unknown[], order: Map<unknown, number>): unknown[] {
  const found = new Set<unknown>();
  for (const v of values) for (const d of index.get(keyOf(v)) ?? []) found.add(d);
  return [...found].sort((a, b) => order.get(a)! - order.get(b)!);
}

/** $lookup: equality matches by value (`localField`/`foreignField`), a `let`/`pipeline` sub-query, or both. */
const $lookup: StageFn = (coll, expr, options) => {
  const s = spec('$lookup', expr);
  if (typeof s.as !== 'string') fail('FailedToParse', "must specify 'as' field for a $lookup");
  let pipeline = Array.isArray(s.pipeline) ? (s.pipeline as Document[]) : undefined;
  let foreign: unknown[];
  if (pipeline?.[0] && '$documents' in pipeline[0]) {
    foreign = evalExpr({}, pipeline[0].$documents, options) as unknown[];
    pipeline = pipeline.slice(1);
  } else foreign = resolveCollection('$lookup', s.from, options);
  const byEquality = typeof s.localField === 'string' && typeof s.foreignField === 'string';
  const index = byEquality ? indexBy(foreign, s.foreignField as string) : undefined;
  const order = new Map(foreign.map((d, i) => [d, i]));
  const as = s.as;
  return coll.map((doc: Document) => {
    const candidates = index ? matching(index, pathValues(doc, s.localField as string), order) : foreign;
    let joined: unknown[];
    if (!pipeline?.length) joined = candidates;
    else {
      const variables = isPlainObject(s.let)
        ? (evalExpr(doc, s.let, options) as Record<string, unknown>)
        : {};
      joined = new Aggregator(pipeline, withVariables(options, variables)).run(candidates);
    }
    // Foreign documents may be stored ones: later stages must not modify them in place.
    return { ...doc, [as]: joined.map(clone) };
  });
};

/** $graphLookup: breadth-first over equality matches by value; `depthField` is a Long like mongod's. */
const $graphLookup: StageFn = (coll, expr, options) => {
  const s = spec('$graphLookup', expr);
  for (const k of ['startWith', 'connectFromField', 'connectToField', 'as'])
    if (!(k in s)) fail('Location40105', `$graphLookup requires '${k}'`);
  const foreign = resolveCollection('$graphLookup', s.from, options);
  const index = indexBy(foreign, s.connectToField as string);
  const restrict = isPlainObject(s.restrictSearchWithMatch)
    ? compileFilter(s.restrictSearchWithMatch, options)
    : undefined;
  const maxDepth = s.maxDepth === undefined ? Number.POSITIVE_INFINITY : Number(s.maxDepth);
  return coll.map((doc: Document) => {
    const start = evalExpr(doc, s.startWith, options);
    let frontier = (Array.isArray(start) ? start : [start]).map((v) => v ?? null);
    const found = new Map<unknown, number>();
    for (let depth = 0; frontier.length > 0 && depth <= maxDepth; depth++) {
      const next: unknown[] = [];
      for (const v of frontier)
        for (const d of index.get(keyOf(v)) ?? []) {
          if (found.has(d) || (restrict && !restrict(d as Document))) continue;
          found.set(d, depth);
          next.push(...pathValues(d, s.connectFromField as string).filter((x) => x !== undefined));
        }
      frontier = next;
    }
    const as = [...found].map(([d, depth]) => {
      const c = clone(d) as Document;
      if (typeof s.depthField === 'string') c[s.depthField] = makeLong(BigInt(depth));
      return c;
    });
    return { ...doc, [s.as as string]: as };
  });
};

/**
 * mingo's stage, after checking that the values it interprets itself (sort keys, partitions, window inputs)
 * are plain numbers or not numbers: mingo would order or group Long/Decimal128/integral doubles wrongly.
 */
function guarded(stage: string, interpreted: (s: Document) => unknown[]): StageFn {
  const original = (mingoPipeline as unknown as Record<string, StageFn>)[stage]!;
  return (coll, expr, options) => {
    const s = spec(stage, expr);
    const exprs = interpreted(s).filter((e) => e !== undefined);
    return coll.transform((items: unknown[]) => {
      const evals = exprs.map((e) => evaluator(e, options));
      for (const item of items)
        for (const ev of evals) {
          const v = ev(item);
          if (isWrappedNumber(v) || (Array.isArray(v) && v.some(isWrappedNumber)))
            unsupported(`${stage} over Long, Decimal128 or integral double values (mongod supports it)`);
        }
      return original(Lazy(items), expr, options);
    });
  };
}

const fieldsOf = (sortBy: unknown): string[] =>
  isPlainObject(sortBy) ? Object.keys(sortBy).map((k) => `$${k}`) : [];

const WINDOW_INPUT_OPS = ['$derivative', '$integral', '$expMovingAvg', '$linearFill', '$minMaxScaler'];

/** mingo's $redact, with pruned documents dropped (mingo leaves an undefined in their place). */
const $redact: StageFn = (coll, expr, options) =>
  (mingoPipeline.$redact as unknown as StageFn)(coll, expr, options).filter((d: unknown) => d !== undefined);

export const STAGES: Record<string, StageFn> = {
  $group,
  $redact,
  $sort,
  $match,
  $sortByCount,
  $bucket,
  $lookup,
  $graphLookup,
  $bucketAuto: guarded('$bucketAuto', (s) => [s.groupBy]),
  $densify: guarded('$densify', (s) => [
    typeof s.field === 'string' ? `$${s.field}` : undefined,
    ...(Array.isArray(s.partitionByFields) ? s.partitionByFields.map((f) => `$${String(f)}`) : []),
  ]),
  $fill: guarded('$fill', (s) => [
    s.partitionBy,
    ...(Array.isArray(s.partitionByFields) ? s.partitionByFields.map((f) => `$${String(f)}`) : []),
    ...fieldsOf(s.sortBy),
    ...(isPlainObject(s.output) ? Object.keys(s.output).map((k) => `$${k}`) : []),
  ]),
  $setWindowFields: guarded('$setWindowFields', (s) => {
    const inputs: unknown[] = [s.partitionBy, ...fieldsOf(s.sortBy)];
    if (isPlainObject(s.output))
      for (const out of Object.values(s.output))
        if (isPlainObject(out))
          for (const op of WINDOW_INPUT_OPS)
            if (op in out) {
              const arg = out[op];
              inputs.push(isPlainObject(arg) && 'input' in arg ? arg.input : arg);
            }
    return inputs;
  }),
};
