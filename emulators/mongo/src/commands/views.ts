/**
 * Read-only views (`create` with `viewOn` + `pipeline`), as mongod keeps them: a view is a catalog entry
 * holding its definition (stored like a collection whose options are `{viewOn, pipeline}`, so the journal,
 * snapshots and `drop` need nothing new); reads through it run the view's pipeline (views on views: the
 * innermost first) over the source collection, then the read's own stages; writes answer
 * CommandNotSupportedOnView (166). https://www.mongodb.com/docs/manual/core/views/
 */
import type { Document } from 'bson';
import { keyOf } from '../bsonUtil.js';
import { fail } from '../errors.js';
import { runPipeline, validatePipeline } from '../query/aggregate.js';
import { type Collation, parseCollation, storedCollation } from '../query/collation.js';
import type { Collection } from '../storage/collection.js';
import type { CommandContext } from './context.js';

/** A view resolved down to a real collection: read `source`, then run `pipeline`. */
export interface ResolvedView {
  readonly source: string;
  readonly pipeline: Document[];
  /** The view's default collation (its pipeline and the reads through it run with it). */
  readonly collation: Collation | null;
}

export function isView(c: Collection | undefined): boolean {
  return c !== undefined && typeof c.options.viewOn === 'string';
}

/**
 * The view `name` resolved through views on views, or undefined when `name` is not a view. A read naming
 * a collation other than the view's fails like mongod's (`command`: the read's own collation, checked).
 */
export function resolveView(
  ctx: CommandContext,
  name: string,
  command: { collation?: unknown } = ctx.cmd,
): ResolvedView | undefined {
  let c = ctx.engine.getCollection(ctx.db, name);
  if (!c || !isView(c)) return undefined;
  const collation = parseCollation(c.options.collation);
  const asked = command.collation === undefined ? collation : parseCollation(command.collation);
  if (keyOf(asked?.spec ?? null) !== keyOf(collation?.spec ?? null))
    fail('OptionNotSupportedOnView', "Cannot override a view's default collation");
  const stages: Document[][] = [];
  let source = name;
  for (let depth = 0; c && isView(c); depth++) {
    if (depth > 20)
      fail('ViewDepthLimitExceeded', 'View depth too deep or view cycle detected. Maximum depth is 20');
    stages.unshift((c.options.pipeline as Document[] | undefined) ?? []);
    source = c.options.viewOn as string;
    c = ctx.engine.getCollection(ctx.db, source);
  }
  return { source, pipeline: stages.flat(), collation };
}

/** A `$lookup`/`$unionWith`/`$graphLookup` source: a collection's documents, or a view's results. */
export function documentsOf(ctx: CommandContext, name: string): Document[] {
  const view = resolveView(ctx, name, {});
  if (view) return viewDocuments(ctx, view);
  const c = ctx.store.collection(ctx.db, name);
  return c ? ctx.store.read(c, undefined).docs : [];
}

/** The documents a view shows, optionally followed by more stages (a read's filter, sort, ...). */
export function viewDocuments(ctx: CommandContext, view: ResolvedView, more: Document[] = []): Document[] {
  const source = ctx.store.collection(ctx.db, view.source);
  const docs = source ? ctx.store.read(source, undefined).docs : [];
  return runPipeline(
    docs,
    [...view.pipeline, ...more],
    (n) => documentsOf(ctx, n),
    undefined,
    view.collation?.mingoOptions(),
  );
}

/** `find` on a view, as mongod runs it: the view's pipeline, then `$match`, `$sort`, `$skip`, `$limit`. */
export function findOnView(
  ctx: CommandContext,
  view: ResolvedView,
  read: { filter?: Document; sort?: Document; skip: number; limit: number },
): Document[] {
  const stages: Document[] = [];
  if (read.filter && Object.keys(read.filter).length) stages.push({ $match: read.filter });
  if (read.sort && Object.keys(read.sort).length) stages.push({ $sort: read.sort });
  if (read.skip) stages.push({ $skip: read.skip });
  if (read.limit) stages.push({ $limit: read.limit });
  return viewDocuments(ctx, view, stages);
}

/**
 * Writes (a batch: per statement, see write.ts), `$out`/`$merge`, index builds and commands that need a
 * collection (listIndexes) answer 166 on a view.
 */
export function refuseOnView(ctx: CommandContext, name: string, db = ctx.db): void {
  if (isView(ctx.engine.getCollection(db, name)))
    fail('CommandNotSupportedOnView', `Namespace ${db}.${name} is a view, not a collection`);
}

/** A change stream cannot watch a view (mongod's run_aggregate: 166). */
export function refuseChangeStreamOnView(ctx: CommandContext, target: unknown): void {
  if (typeof target === 'string' && isView(ctx.engine.getCollection(ctx.db, target)))
    fail('CommandNotSupportedOnView', '$changeStream is not supported on views.');
}

/** Validates `create`'s view options; the options to store, or undefined when it creates no view. */
export function viewOptions(ctx: CommandContext, name: string): Document | undefined {
  const { viewOn, pipeline } = ctx.cmd;
  if (viewOn === undefined) {
    if (pipeline !== undefined) fail('InvalidOptions', "'pipeline' requires 'viewOn' to also be specified");
    return undefined;
  }
  if (typeof viewOn !== 'string')
    fail(
      'TypeMismatch',
      `BSON field 'create.viewOn' is the wrong type '${typeof viewOn}', expected type 'string'`,
    );
  if (viewOn.length === 0) fail('BadValue', "'viewOn' cannot be empty");
  if (pipeline !== undefined && !Array.isArray(pipeline))
    fail('TypeMismatch', "BSON field 'create.pipeline' is the wrong type 'object', expected type 'array'");
  const stages = validatePipeline(pipeline ?? []);
  stages.forEach((s, i) => {
    const op = Object.keys(s)[0];
    if (op === '$out' || op === '$merge')
      fail(
        'OptionNotSupportedOnView',
        `The aggregation stage ${op} in location ${i} of the pipeline cannot be used in the view definition of ${ctx.db}.${name} because it writes to disk`,
      );
    if (op === '$changeStream')
      fail('OptionNotSupportedOnView', `${op} cannot be used in the view definition of ${ctx.db}.${name}`);
  });
  // A view whose chain leads back to itself (created on a view that does not exist yet, then that one on it).
  const chain = [name, viewOn];
  for (let c = ctx.engine.getCollection(ctx.db, viewOn); c && isView(c); ) {
    const next = c.options.viewOn as string;
    chain.push(next);
    if (next === name)
      fail('GraphContainsCycle', `View cycle detected: ${chain.map((n) => `${ctx.db}.${n}`).join(' => ')}`);
    c = ctx.engine.getCollection(ctx.db, next);
  }
  const options: Document = { viewOn, pipeline: stages };
  const collation = storedCollation(ctx.cmd.collation);
  if (collation) options.collation = collation;
  return options;
}

/** listCollections' entry for a view. */
export function viewInfo(c: Collection): Document {
  return { name: c.name, type: 'view', options: { ...c.options }, info: { readOnly: true } };
}
