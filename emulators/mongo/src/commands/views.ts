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
import { typeAlias } from '../query/typeNames.js';
import type { Collection } from '../storage/collection.js';
import type { CommandContext, Handler } from './context.js';

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

/** 166 with mongod's usual text (its collection lookups that forbid views answer so). */
function notACollection(db: string, name: string): never {
  fail('CommandNotSupportedOnView', `Namespace ${db}.${name} is a view, not a collection`);
}

/**
 * Writes (a batch: per statement, see write.ts) and `$out`/`$merge` targets answer 166 on a view; the
 * other commands that need a collection are refused through VIEW_ANSWERS before they run.
 */
export function refuseOnView(ctx: CommandContext, name: string, db = ctx.db): void {
  if (isView(ctx.engine.getCollection(db, name))) notACollection(db, name);
}

/** What a command naming a view gets: refused before its handler runs, or handled by the command. */
export type ViewAnswer = { readonly refuse: (ctx: CommandContext) => void } | { readonly handledIn: string };

/** Refuses when the command's own field (`{validate: 'v'}`) names a view of the command's database. */
function refuseNamed(message?: string): ViewAnswer {
  return {
    refuse: (ctx) => {
      const name = ctx.cmd[ctx.name];
      if (typeof name !== 'string' || !isView(ctx.engine.getCollection(ctx.db, name))) return;
      if (message) fail('CommandNotSupportedOnView', message);
      notACollection(ctx.db, name);
    },
  };
}

/** `<db>.<coll>` split at the first dot; undefined when either part is missing. */
function splitNamespace(ns: unknown): [string, string] | undefined {
  if (typeof ns !== 'string') return undefined;
  const dot = ns.indexOf('.');
  return dot > 0 && dot < ns.length - 1 ? [ns.slice(0, dot), ns.slice(dot + 1)] : undefined;
}

/**
 * mongod's rename_collection.cpp: a view cannot be renamed (166), nor replaced by a rename even with
 * `dropTarget` (48, checked once the source is known to be a collection). Off the admin database the
 * command's own Unauthorized answer comes first.
 */
const renameCollection: ViewAnswer = {
  refuse: (ctx) => {
    if (ctx.db !== 'admin') return;
    const from = splitNamespace(ctx.cmd.renameCollection);
    const to = splitNamespace(ctx.cmd.to);
    if (!from || !to) return;
    const source = ctx.engine.getCollection(...from);
    if (isView(source)) fail('CommandNotSupportedOnView', `cannot rename view: ${ctx.cmd.renameCollection}`);
    if (source && isView(ctx.engine.getCollection(...to)))
      fail('NamespaceExists', `a view already exists with that name: ${ctx.cmd.to}`);
  },
};

/**
 * Every command that names a collection and what it does with a view, as mongod 7.0/8.0 answer
 * (jstests/core/views/views_all_commands.js; the messages from the commands' sources). server.ts
 * runs `refuse` before the handler (inside a transaction too, so a refusal aborts it like any error);
 * `handledIn` commands read through the view, change it or refuse per statement themselves.
 */
export const VIEW_ANSWERS: ReadonlyMap<string, ViewAnswer> = new Map<string, ViewAnswer>([
  ['find', { handledIn: "read.ts: the view's pipeline, then the read" }],
  [
    'aggregate',
    { handledIn: "read.ts: the view's pipeline first; a $changeStream or $out/$merge into a view is 166" },
  ],
  ['count', { handledIn: 'read.ts: through the view' }],
  ['distinct', { handledIn: 'read.ts: through the view' }],
  ['insert', { handledIn: 'write.ts: each statement a 166 write error' }],
  ['update', { handledIn: 'write.ts: each statement a 166 write error' }],
  ['delete', { handledIn: 'write.ts: each statement a 166 write error' }],
  ['collMod', { handledIn: 'ddl.ts: viewOn/pipeline change the view (viewCollMod); other options 72' }],
  ['drop', { handledIn: 'ddl.ts: drops the definition, never its source' }],
  ['create', { handledIn: 'ddl.ts: an existing view is NamespaceExists' }],
  ['findAndModify', refuseNamed()],
  ['findandmodify', refuseNamed()],
  ['createIndexes', refuseNamed()],
  ['listIndexes', refuseNamed()],
  ['dropIndexes', refuseNamed()],
  ['deleteIndexes', refuseNamed()],
  ['collStats', refuseNamed()],
  ['validate', refuseNamed('Cannot validate a view')],
  ['compact', refuseNamed("can't compact a view")],
  ['renameCollection', renameCollection],
]);

/** A change stream cannot watch a view (mongod's run_aggregate: 166). */
export function refuseChangeStreamOnView(ctx: CommandContext, target: unknown): void {
  if (typeof target === 'string' && isView(ctx.engine.getCollection(ctx.db, target)))
    fail('CommandNotSupportedOnView', '$changeStream is not supported on views.');
}

/**
 * A view definition checked as mongod checks it for `create` and `collMod` (`command` names the field in
 * type errors): the stages to store. Pipeline problems carry the view catalog's context ("Invalid pipeline
 * for view <ns> :: caused by :: ..."); a cycle is reported as mongod's view graph prints it.
 */
function checkDefinition(
  ctx: CommandContext,
  command: 'create' | 'collMod',
  name: string,
  viewOn: unknown,
  pipeline: unknown,
): Document[] {
  if (typeof viewOn !== 'string')
    fail(
      'TypeMismatch',
      `BSON field '${command}.viewOn' is the wrong type '${typeAlias(viewOn)}', expected type 'string'`,
    );
  if (viewOn.length === 0) fail('BadValue', "'viewOn' cannot be empty");
  if (pipeline !== undefined && !Array.isArray(pipeline))
    fail(
      'TypeMismatch',
      `BSON field '${command}.pipeline' is the wrong type '${typeAlias(pipeline)}', expected type 'array'`,
    );
  const stages = validatePipeline(pipeline ?? []);
  const ns = `${ctx.db}.${name}`;
  stages.forEach((s, i) => {
    const op = Object.keys(s)[0];
    const invalid = (why: string) =>
      fail('OptionNotSupportedOnView', `Invalid pipeline for view ${ns} :: caused by :: ${why}`);
    if (op === '$out' || op === '$merge')
      invalid(
        `The aggregation stage ${op} in location ${i} of the pipeline cannot be used in the view definition of ${ns} because it writes to disk`,
      );
    if (op === '$changeStream') invalid(`${op} cannot be used in a view definition`);
  });
  // A view whose chain leads back to itself. mongod's ViewGraph walks name → viewOn → ... → name and
  // prints the walk backwards after the view's own name.
  const walk = [name, viewOn];
  for (let next: string | undefined = viewOn; next !== name; walk.push(next)) {
    const c = ctx.engine.getCollection(ctx.db, next);
    next = c && isView(c) ? (c.options.viewOn as string) : undefined;
    if (next === undefined || walk.length > 21) return stages;
  }
  const names = [name, ...walk.reverse()].map((n) => `${ctx.db}.${n}`);
  fail('GraphContainsCycle', `View cycle detected: ${names.join(' => ')}`);
}

/** Validates `create`'s view options; the options to store, or undefined when it creates no view. */
export function viewOptions(ctx: CommandContext, name: string): Document | undefined {
  const { viewOn, pipeline } = ctx.cmd;
  if (viewOn === undefined) {
    if (pipeline !== undefined) fail('InvalidOptions', "'pipeline' requires 'viewOn' to also be specified");
    return undefined;
  }
  const options: Document = { viewOn, pipeline: checkDefinition(ctx, 'create', name, viewOn, pipeline) };
  const collation = storedCollation(ctx.cmd.collation);
  if (collation) options.collation = collation;
  return options;
}

/**
 * collMod options as mongod's parseCollModRequest checks them, in its order: on a view only `viewOn` and
 * `pipeline` (each replaces its half of the definition); on a collection neither. 72 otherwise.
 */
const NOT_ON_VIEWS = [
  'index',
  'validator',
  'validationLevel',
  'validationAction',
  'recordPreImages',
  'changeStreamPreAndPostImages',
  'expireAfterSeconds',
];

/** `collMod` on a collection: refuses the view-only options (72). */
export function refuseViewOptions(ctx: CommandContext): void {
  for (const option of ['pipeline', 'viewOn'])
    if (ctx.cmd[option] !== undefined) fail('InvalidOptions', `option only supported on a view: ${option}`);
}

/** `collMod` on the view `view`: the options to store (the definition with the given halves replaced). */
export function viewCollMod(ctx: CommandContext, view: Collection): Document {
  for (const option of NOT_ON_VIEWS)
    if (ctx.cmd[option] !== undefined) fail('InvalidOptions', `option not supported on a view: ${option}`);
  const viewOn = ctx.cmd.viewOn ?? view.options.viewOn;
  const pipeline = ctx.cmd.pipeline ?? view.options.pipeline;
  return { viewOn, pipeline: checkDefinition(ctx, 'collMod', view.name, viewOn, pipeline) };
}

/** listCollections' entry for a view. */
export function viewInfo(c: Collection): Document {
  return { name: c.name, type: 'view', options: { ...c.options }, info: { readOnly: true } };
}

/** `handler` behind the refusal VIEW_ANSWERS holds for the command `name` (the handler itself if none). */
export function refusingViews(name: string, handler: Handler): Handler {
  const answer = VIEW_ANSWERS.get(name);
  if (!answer || !('refuse' in answer)) return handler;
  return (ctx) => {
    answer.refuse(ctx);
    return handler(ctx);
  };
}
