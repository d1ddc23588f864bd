import { type Document, Long } from 'bson';
import { clone, getPath, isPlainObject, keyOf, numberOf, pathValues } from '../bsonUtil.js';
import { ChangeStreamCursor, openChangeStream } from '../changes/changeStream.js';
import { labelChangeStreamError } from '../changes/errorLabels.js';
import { ArrayCursor, type Batch, cursorReply } from '../cursors.js';
import { fail } from '../errors.js';
import { runPipeline, validatePipeline } from '../query/aggregate.js';
import { commandCollation, readCollated } from '../query/collation.js';
import { bindFilter, parseLet } from '../query/letVariables.js';
import { compileFilter } from '../query/match.js';
import { projector } from '../query/projection.js';
import { applyUpdate, describeUpdate, sortComparator, withIdFirst } from '../query/update.js';
import type { ReadResult } from '../store.js';
import { type CommandContext, register } from './context.js';
import { checkLocalSessionsStage, listLocalSessions } from './localSessions.js';
import { commandDeadline, retryWhileLocked } from './lockWait.js';
import { checkWriteStageReadConcern } from './readConcern.js';
import {
  documentsOf,
  findOnView,
  refuseChangeStreamOnView,
  refuseOnView,
  resolveView,
  viewDocuments,
} from './views.js';

const DEFAULT_BATCH = 101;

function collName(ctx: CommandContext): string {
  const name = ctx.cmd[ctx.name];
  if (typeof name !== 'string' || name.length === 0)
    fail('InvalidNamespace', `collection name has invalid type ${typeof name}`);
  return name;
}

function optNumber(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = numberOf(v);
  if (n === undefined)
    fail(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeof v}', expected types '[long, int, decimal, double]'`,
    );
  return n;
}

function optObject(v: unknown, field: string): Document | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v))
    fail('TypeMismatch', `BSON field '${field}' is the wrong type, expected type 'object'`);
  return v;
}

interface FindResult extends ReadResult {
  projected: (d: Document) => Document;
}

function runFind(ctx: CommandContext, name: string): FindResult {
  const cmd = ctx.cmd;
  const filter = bindFilter(optObject(cmd.filter, 'find.filter'), parseLet('find', cmd.let));
  const sort = optObject(cmd.sort, 'find.sort');
  const projection = optObject(cmd.projection, 'find.projection');
  const skip = optNumber(cmd.skip, 'find.skip') ?? 0;
  let limit = optNumber(cmd.limit, 'find.limit') ?? 0;
  if (skip < 0) fail('BadValue', 'skip value must be non-negative');
  if (limit < 0) limit = -limit;
  compileFilter(filter); // validates the filter even when the collection does not exist, like mongod
  const projected = projector(projection, filter);
  const view = resolveView(ctx, name);
  if (view)
    return {
      docs: findOnView(ctx, view, { filter, sort, skip, limit }),
      stage: 'COLLSCAN',
      examined: 0,
      projected,
    };
  const coll = ctx.store.collection(ctx.db, name);
  if (!coll) return { docs: [], stage: 'EOF', examined: 0, projected };
  if (ctx.cmd.tailable === true)
    fail(
      'CommandNotSupported',
      'tailable cursors (capped collections) are not supported by the az-shop mongo emulator',
    );
  // {$natural: ±1} is insertion order, which is how collections iterate.
  const natural =
    sort && Object.keys(sort).length === 1 && '$natural' in sort ? numberOf(sort.$natural) : undefined;
  const hasSort = natural === undefined && sort && Object.keys(sort).length > 0;
  const max = hasSort || natural === -1 || limit === 0 ? undefined : skip + limit;
  const collation = commandCollation(cmd.collation, coll);
  const r = collation
    ? { docs: readCollated(ctx.store, coll, filter, collation, max), stage: 'COLLSCAN' as const, examined: 0 }
    : ctx.store.read(coll, filter, max);
  let docs = r.docs;
  if (hasSort) docs = [...docs].sort(sortComparator(sort, collation?.compare));
  else if (natural === -1) docs = [...docs].reverse();
  if (skip || limit) docs = docs.slice(skip, limit ? skip + limit : undefined);
  return { ...r, docs, projected };
}

register('find', (ctx) => {
  const name = collName(ctx);
  const r = runFind(ctx, name);
  const ns = `${ctx.db}.${name}`;
  const batchSize = optNumber(ctx.cmd.batchSize, 'find.batchSize');
  const limit = optNumber(ctx.cmd.limit, 'find.limit') ?? 0;
  const single = ctx.cmd.singleBatch === true || limit < 0;
  const first = batchSize ?? DEFAULT_BATCH;
  // Most finds fit in the first batch: answer them without registering a cursor.
  if (first !== 0 && r.docs.length <= first && r.docs.length <= 16) {
    return cursorReply(zeroId(), ns, r.docs.map(r.projected), true);
  }
  const id = ctx.cursors.newId();
  const cursor = new ArrayCursor(id, ns, r.docs, r.projected, ctx.lsid);
  const batch = cursor.take(first);
  if (batch.exhausted || single) return cursorReply(zeroId(), ns, batch.docs, true);
  ctx.cursors.add(cursor);
  return cursorReply(id, ns, batch.docs, true);
});

function zeroId(): Long {
  return Long.ZERO;
}

register('getMore', async (ctx) => {
  const id = ctx.cmd.getMore;
  if (numberOf(id) === undefined)
    fail('TypeMismatch', "BSON field 'getMore.getMore' is the wrong type, expected type 'long'");
  const cursor = ctx.cursors.get(id as Long);
  const batchSize = optNumber(ctx.cmd.batchSize, 'getMore.batchSize');
  const maxTimeMS = optNumber(ctx.cmd.maxTimeMS, 'getMore.maxTimeMS');
  let batch: Batch;
  try {
    batch = await cursor.next(batchSize, maxTimeMS);
  } catch (err) {
    // mongod kills a cursor whose getMore fails (e.g. a change stream's missing required pre-image).
    ctx.cursors.remove(cursor.id);
    throw labelChangeStreamError(err, cursor instanceof ChangeStreamCursor);
  }
  const extra = batch.postBatchResumeToken ? { postBatchResumeToken: batch.postBatchResumeToken } : undefined;
  if (batch.exhausted) {
    ctx.cursors.remove(cursor.id);
    return cursorReply(zeroId(), cursor.ns, batch.docs, false, extra);
  }
  return cursorReply(cursor.id, cursor.ns, batch.docs, false, extra);
});

register('killCursors', (ctx) => {
  const ids = ctx.cmd.cursors;
  if (!Array.isArray(ids))
    fail('FailedToParse', "BSON field 'killCursors.cursors' is missing but a required field");
  const cursorsKilled: unknown[] = [];
  const cursorsNotFound: unknown[] = [];
  for (const id of ids) (ctx.cursors.remove(id as Long) ? cursorsKilled : cursorsNotFound).push(id);
  return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
});

register('count', (ctx) => {
  const name = collName(ctx);
  const query = optObject(ctx.cmd.query, 'count.query');
  const skip = optNumber(ctx.cmd.skip, 'count.skip') ?? 0;
  const limit = Math.abs(optNumber(ctx.cmd.limit, 'count.limit') ?? 0);
  const view = resolveView(ctx, name);
  if (view) return { n: findOnView(ctx, view, { filter: query, skip, limit }).length, ok: 1 };
  const coll = ctx.store.collection(ctx.db, name);
  if (!coll) return { n: 0, ok: 1 };
  let n: number;
  if ((!query || Object.keys(query).length === 0) && !ctx.store.inTransaction) n = coll.docs.size;
  else n = readCollated(ctx.store, coll, query, commandCollation(ctx.cmd.collation, coll)).length;
  n = Math.max(0, n - skip);
  if (limit) n = Math.min(n, limit);
  return { n, ok: 1 };
});

register('distinct', (ctx) => {
  const name = collName(ctx);
  const key = ctx.cmd.key;
  if (typeof key !== 'string')
    fail('TypeMismatch', "BSON field 'distinct.key' is the wrong type, expected type 'string'");
  const query = optObject(ctx.cmd.query, 'distinct.query');
  const view = resolveView(ctx, name);
  const coll = ctx.store.collection(ctx.db, name);
  const values: unknown[] = [];
  if (coll) {
    const seen = new Set<string>();
    const collation = commandCollation(ctx.cmd.collation, coll);
    const docs = view
      ? findOnView(ctx, view, { filter: query, skip: 0, limit: 0 })
      : readCollated(ctx.store, coll, query, collation);
    for (const d of docs) {
      for (const v of pathValues(d, key)) {
        if (v === undefined) continue;
        const k = keyOf(collation && typeof v === 'string' ? collation.indexValue(v) : v);
        if (!seen.has(k)) {
          seen.add(k);
          values.push(v);
        }
      }
    }
  }
  return { values, ok: 1 };
});

register('aggregate', async (ctx) => {
  const target = ctx.cmd.aggregate;
  const pipeline = validatePipeline(ctx.cmd.pipeline);
  const first = pipeline[0];
  if (first && '$changeStream' in first) {
    refuseChangeStreamOnView(ctx, target);
    return openChangeStream(ctx, pipeline);
  }
  for (let i = 1; i < pipeline.length; i++) {
    if ('$changeStream' in pipeline[i]!)
      fail('Location40602', '$changeStream is only valid as the first stage in a pipeline');
  }
  checkWriteStageReadConcern(ctx.cmd, pipeline);
  checkLocalSessionsStage(ctx, pipeline);
  if (!isPlainObject(ctx.cmd.cursor) && ctx.cmd.explain !== true) {
    fail('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const variables = parseLet('aggregate', ctx.cmd.let);
  let input: Document[] = [];
  let rest = pipeline;
  let ns = `${ctx.db}.$cmd.aggregate`;
  let collation = commandCollation(ctx.cmd.collation, undefined);
  if (typeof target === 'string') {
    ns = `${ctx.db}.${target}`;
    const view = resolveView(ctx, target);
    const coll = ctx.store.collection(ctx.db, target);
    collation = commandCollation(ctx.cmd.collation, coll);
    if (view) input = viewDocuments(ctx, view);
    else if (coll) {
      // A leading $match is answered from the indexes, like find.
      if (first && '$match' in first && isPlainObject(first.$match)) {
        input = readCollated(ctx.store, coll, bindFilter(first.$match, variables), collation);
        rest = pipeline.slice(1);
      } else input = ctx.store.read(coll, undefined).docs;
    }
  } else if (numberOf(target) !== 1) {
    fail('FailedToParse', "Invalid 'aggregate' value: expected a collection name or 1");
  } else if (first && '$listLocalSessions' in first) {
    input = listLocalSessions(ctx, pipeline);
    rest = pipeline.slice(1);
  } else if (!first || !('$documents' in first)) {
    fail(
      'InvalidNamespace',
      `{aggregate: 1} is not valid for '${Object.keys(first ?? {})[0] ?? ''}'; a collection is required.`,
    );
  }
  const last = rest[rest.length - 1];
  const writeStage = last && ('$out' in last || '$merge' in last) ? last : undefined;
  if (writeStage) rest = rest.slice(0, -1);
  const results = runPipeline(
    input,
    rest,
    (name) => documentsOf(ctx, name),
    variables,
    collation?.mingoOptions(),
  );
  if (writeStage) {
    await writeOut(ctx, writeStage, results);
    return cursorReply(zeroId(), ns, [], true);
  }
  const id = ctx.cursors.newId();
  const cursor = new ArrayCursor(id, ns, results, undefined, ctx.lsid);
  const batchSize = optNumber(
    (ctx.cmd.cursor as Document | undefined)?.batchSize,
    'aggregate.cursor.batchSize',
  );
  const batch = cursor.take(batchSize ?? DEFAULT_BATCH);
  if (batch.exhausted) return cursorReply(zeroId(), ns, batch.docs, true);
  ctx.cursors.add(cursor);
  return cursorReply(id, ns, batch.docs, true);
});

/** $out / $merge: written through the store, so indexes, unique checks and change events apply. */
async function writeOut(ctx: CommandContext, stage: Document, results: Document[]): Promise<void> {
  const store = ctx.store;
  const deadline = commandDeadline(ctx);
  if ('$out' in stage) {
    const spec = stage.$out;
    const db = isPlainObject(spec) ? String(spec.db) : ctx.db;
    const name = isPlainObject(spec) ? String(spec.coll) : String(spec);
    refuseOnView(ctx, name, db);
    const coll = store.ensureCollection(db, name);
    // Waits while an open transaction has written the target (mongod's rename waits for its lock).
    await retryWhileLocked(ctx, deadline, () => {
      const existing = store.read(coll, undefined).docs;
      store.checkWritable(
        coll,
        [...existing.map((d) => d._id), ...results.map((d) => d._id)],
        results.map((after) => ({ after })),
      );
      for (const d of existing) store.delete(coll, d);
      for (const d of results) store.insert(coll, withIdFirst(clone(d)));
    });
    await store.flush();
    return;
  }
  const spec = stage.$merge;
  const into = isPlainObject(spec) ? spec.into : spec;
  const db = isPlainObject(into) ? String(into.db) : ctx.db;
  const name = isPlainObject(into) ? String(into.coll) : String(into);
  const on = isPlainObject(spec) && spec.on ? (Array.isArray(spec.on) ? spec.on : [spec.on]) : ['_id'];
  const whenMatched = isPlainObject(spec) ? (spec.whenMatched ?? 'merge') : 'merge';
  const whenNotMatched = isPlainObject(spec) ? (spec.whenNotMatched ?? 'insert') : 'insert';
  refuseOnView(ctx, name, db);
  const coll = store.ensureCollection(db, name);
  // One write per result document, each waiting if an open transaction has written its target.
  for (const raw of results) await retryWhileLocked(ctx, deadline, () => mergeOne(raw));
  await store.flush();

  function mergeOne(raw: Document): void {
    const doc = clone(raw);
    const filter: Document = {};
    for (const f of on as string[]) filter[f] = getPath(doc, f) ?? null;
    const existing = store.read(coll, filter, 1).docs[0];
    if (!existing) {
      if (whenNotMatched === 'discard') return;
      if (whenNotMatched === 'fail')
        fail('Location13113', '$merge could not find a matching document in the target collection');
      store.insert(coll, withIdFirst(doc));
      return;
    }
    let after: Document;
    if (whenMatched === 'keepExisting') return;
    if (whenMatched === 'fail') throw coll.duplicateError(coll.indexes.get('_id_')!, existing);
    if (whenMatched === 'replace') after = { ...doc, _id: existing._id };
    else if (Array.isArray(whenMatched)) after = applyUpdate(existing, whenMatched as Document[]);
    else after = { ...existing, ...doc, _id: existing._id };
    store.update(
      coll,
      existing,
      after,
      whenMatched === 'replace' ? 'r' : 'u',
      describeUpdate(existing, after),
    );
  }
}

register('explain', (ctx) => {
  const inner = ctx.cmd.explain;
  if (!isPlainObject(inner)) fail('FailedToParse', 'explain command requires a nested object');
  const name = Object.keys(inner)[0] ?? '';
  const collection = String(inner[name]);
  const filter = (inner.filter ?? inner.query ?? (inner.q as Document | undefined)) as Document | undefined;
  const coll = ctx.store.collection(ctx.db, collection);
  const plan = coll ? coll.plan(filter) : { stage: 'EOF', indexName: undefined };
  const winningPlan: Document =
    plan.stage === 'COLLSCAN' || plan.stage === 'EOF'
      ? { stage: plan.stage, filter: filter ?? {} }
      : { stage: 'FETCH', inputStage: { stage: plan.stage, indexName: plan.indexName } };
  return {
    queryPlanner: {
      namespace: `${ctx.db}.${collection}`,
      parsedQuery: filter ?? {},
      winningPlan,
      rejectedPlans: [],
    },
    command: inner,
    ok: 1,
  };
});
