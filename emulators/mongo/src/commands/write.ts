import { BSON, type Document } from 'bson';
import { bsonType, isPlainObject, numberOf, sameKey } from '../bsonUtil.js';
import { fail, MongoServerError, toServerError } from '../errors.js';
import { LockedByTransaction } from '../locks.js';
import { commandCollation, readCollated } from '../query/collation.js';
import { checkInsertedId, checkReplacement, checkUpdatedId } from '../query/fieldNames.js';
import { bindFilter, bindUpdate, parseLet, refuseStatementLet } from '../query/letVariables.js';
import { compileFilter } from '../query/match.js';
import { projector } from '../query/projection.js';
import {
  applyUpdate,
  describeUpdate,
  isReplacement,
  sortComparator,
  upsertSeed,
  withIdFirst,
} from '../query/update.js';
import type { Collection } from '../storage/collection.js';
import type { Store } from '../store.js';
import { MAX_BSON_SIZE } from '../wire/protocol.js';
import { type CommandContext, register } from './context.js';
import { commandDeadline, retryWhileLocked, waitForLock } from './lockWait.js';
import { checkUpdateSorts } from './updateSort.js';
import { isView, refuseOnView } from './views.js';

function collName(ctx: CommandContext): string {
  const name = ctx.cmd[ctx.name];
  if (typeof name !== 'string' || name.length === 0) {
    fail('InvalidNamespace', `collection name has invalid type ${typeof name}`);
  }
  return name;
}

function writeError(index: number, err: unknown): Document {
  const e = toServerError(err);
  const out: Document = { index, code: e.code };
  if (e.codeName) out.codeName = e.codeName;
  out.errmsg = e.message;
  Object.assign(out, e.extra);
  return out;
}

/** Adds the write errors and `ok`, then makes the writes durable before the reply goes out. */
async function finishReply(ctx: CommandContext, reply: Document, writeErrors: Document[]): Promise<Document> {
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  await ctx.store.flush(reply);
  return reply;
}

/** Errors that abort a transaction must not be swallowed into writeErrors. */
function rethrowIfTxn(store: Store, err: unknown): void {
  if (store.inTransaction) throw err;
  if (err instanceof MongoServerError && err.code === 112) throw err;
}

/**
 * Runs each statement of a batch write (`documents`, `updates`, `deletes`): a failing one becomes a
 * write error with its index, and an ordered batch stops there, as mongod does. A statement blocked by an
 * open transaction waits for it and runs again; running out of maxTimeMS meanwhile fails the whole command
 * (mongod's interruptions are not write errors).
 */
async function eachStatement(
  ctx: CommandContext,
  command: string,
  field: string,
  apply: (statement: Document, index: number) => void,
): Promise<Document[]> {
  const statements = ctx.cmd[field];
  if (!Array.isArray(statements))
    fail('FailedToParse', `BSON field '${command}.${field}' is missing but a required field`);
  const ordered = ctx.cmd.ordered !== false;
  const deadline = commandDeadline(ctx);
  const writeErrors: Document[] = [];
  const view = isView(ctx.engine.getCollection(ctx.db, ctx.cmd[command]));
  for (let i = 0; i < statements.length; i++) {
    try {
      if (view) refuseOnView(ctx, ctx.cmd[command]); // each statement fails, as in mongod
      apply(statements[i], i);
    } catch (err) {
      if (err instanceof LockedByTransaction) {
        await waitForLock(ctx, err, deadline);
        i--; // the same statement again, against the state the transaction left
        continue;
      }
      rethrowIfTxn(ctx.store, err);
      writeErrors.push(writeError(i, err));
      if (ordered) break;
    }
  }
  return writeErrors;
}

register('insert', async (ctx) => {
  const name = collName(ctx);
  let n = 0;
  let coll: Collection | undefined;
  const writeErrors = await eachStatement(ctx, 'insert', 'documents', (raw) => {
    if (!isPlainObject(raw)) fail('TypeMismatch', 'documents must be objects');
    if (ctx.messageBytes > MAX_BSON_SIZE) {
      const size = BSON.calculateObjectSize(raw);
      if (size > MAX_BSON_SIZE) {
        fail(
          'BSONObjectTooLarge',
          `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_SIZE}`,
        );
      }
    }
    if (Array.isArray(raw._id)) fail('InvalidIdField', `The '_id' value cannot be of type array`);
    if (raw._id instanceof RegExp || bsonType(raw._id) === 'BSONRegExp')
      fail('InvalidIdField', `can't use a regex for _id`);
    // mongod 5.0+ stores `$`-prefixed field names, except inside _id (fieldNames.ts).
    checkInsertedId(raw._id);
    coll ??= ctx.store.ensureCollection(ctx.db, name);
    ctx.store.insert(coll, withIdFirst(raw));
    n++;
  });
  return finishReply(ctx, { n }, writeErrors);
});

interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  before?: Document;
  after?: Document;
}

/** One update statement (also used by findAndModify). */
export function runUpdate(
  store: Store,
  db: string,
  name: string,
  spec: {
    q?: Document;
    u: Document | Document[];
    upsert?: boolean;
    multi?: boolean;
    arrayFilters?: Document[];
    sort?: Document;
    /** The statement's `collation` (else the collection's default applies). */
    collation?: unknown;
  },
): UpdateOutcome {
  const filter = (spec.q ?? {}) as Document;
  const u = spec.u;
  if (!isPlainObject(u) && !Array.isArray(u))
    fail('FailedToParse', 'Update argument must be either an object or an array');
  if (spec.multi && !Array.isArray(u) && isReplacement(u)) {
    fail('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  compileFilter(filter);
  const coll = store.collection(db, name);
  let targets: Document[] = [];
  if (coll) {
    const collation = commandCollation(spec.collation, coll);
    if (spec.sort && isPlainObject(spec.sort) && Object.keys(spec.sort).length) {
      const all = readCollated(store, coll, filter, collation);
      all.sort(sortComparator(spec.sort, collation?.compare));
      targets = all.slice(0, 1);
    } else targets = readCollated(store, coll, filter, collation, spec.multi ? undefined : 1);
  }
  const opts = { arrayFilters: spec.arrayFilters, filter };
  if (targets.length === 0) {
    if (!spec.upsert) return { matched: 0, modified: 0 };
    const seed = Array.isArray(u) || !isReplacement(u) ? upsertSeed(filter) : {};
    let doc: Document;
    if (!Array.isArray(u) && isReplacement(u)) {
      checkReplacement(u, true);
      doc = { ...u };
      if (doc._id === undefined && seed._id === undefined) {
        const s = upsertSeed(filter);
        if (s._id !== undefined) doc._id = s._id;
      }
    } else doc = applyUpdate(seed, u, { ...opts, isInsert: true });
    checkUpdatedId(doc._id);
    doc = withIdFirst(doc);
    const target = store.ensureCollection(db, name);
    store.insert(target, doc);
    return { matched: 0, modified: 0, upsertedId: doc._id, after: doc };
  }
  // New versions first, then the lock check, then the writes: a statement blocked by a transaction must
  // not have written part of its documents when it is run again. An update error stops at that document.
  let first: { before: Document; after: Document } | undefined;
  const changes: { before: Document; after: Document }[] = [];
  let failure: unknown;
  for (const before of targets) {
    let after: Document;
    try {
      after = applyUpdate(before, u, opts);
    } catch (err) {
      failure = err;
      break;
    }
    first ??= { before, after };
    if (!sameKey(after, before)) changes.push({ before, after });
  }
  const ids = changes.map((c) => c.before._id);
  if (ids.length > 1) store.checkWritable(coll!, ids, changes);
  const replacement = !Array.isArray(u) && isReplacement(u);
  let modified = 0;
  for (const { before, after } of changes) {
    store.update(
      coll!,
      before,
      after,
      replacement ? 'r' : 'u',
      replacement ? undefined : describeUpdate(before, after),
    );
    modified++;
  }
  if (failure !== undefined) throw failure;
  return { matched: targets.length, modified, ...first };
}

register('update', async (ctx) => {
  const name = collName(ctx);
  const vars = parseLet('update', ctx.cmd.let);
  refuseStatementLet('update', 'updates', ctx.cmd.updates);
  const upserted: Document[] = [];
  let n = 0;
  let nModified = 0;
  checkUpdateSorts(ctx, ctx.cmd.updates);
  const writeErrors = await eachStatement(ctx, 'update', 'updates', (spec, index) => {
    if (!isPlainObject(spec)) fail('TypeMismatch', 'update statements must be objects');
    const r = runUpdate(ctx.store, ctx.db, name, {
      q: bindFilter(spec.q as Document, vars),
      u: bindUpdate(spec.u as Document, vars),
      upsert: spec.upsert === true,
      multi: spec.multi === true,
      arrayFilters: spec.arrayFilters as Document[] | undefined,
      sort: spec.sort as Document | undefined,
      collation: spec.collation,
    });
    if (r.upsertedId !== undefined) {
      upserted.push({ index, _id: r.upsertedId });
      n++;
    } else {
      n += r.matched;
      nModified += r.modified;
    }
  });
  const reply: Document = { n, nModified };
  if (upserted.length) reply.upserted = upserted;
  return finishReply(ctx, reply, writeErrors);
});

register('delete', async (ctx) => {
  const name = collName(ctx);
  const vars = parseLet('delete', ctx.cmd.let);
  refuseStatementLet('delete', 'deletes', ctx.cmd.deletes);
  let n = 0;
  const writeErrors = await eachStatement(ctx, 'delete', 'deletes', (raw) => {
    const spec = vars ? { ...raw, q: bindFilter(raw.q as Document, vars) } : raw;
    const limit = numberOf(spec.limit);
    if (limit !== 0 && limit !== 1) fail('FailedToParse', 'The limit field in delete objects must be 0 or 1');
    compileFilter(spec.q as Document);
    const coll = ctx.store.collection(ctx.db, name);
    if (!coll) return;
    const collation = commandCollation(spec.collation, coll);
    const docs = readCollated(ctx.store, coll, spec.q as Document, collation, limit === 1 ? 1 : undefined);
    const ids = docs.map((d) => d._id);
    if (ids.length > 1) ctx.store.checkWritable(coll, ids);
    for (const d of docs) ctx.store.delete(coll, d);
    n += docs.length;
  });
  return finishReply(ctx, { n }, writeErrors);
});

register(['findAndModify', 'findandmodify'], async (ctx) => {
  const name = collName(ctx);
  const cmd = ctx.cmd;
  const vars = parseLet('findAndModify', cmd.let);
  const query = bindFilter((cmd.query ?? {}) as Document, vars);
  const project = cmd.fields && isPlainObject(cmd.fields) ? projector(cmd.fields, query) : (d: Document) => d;
  if (cmd.remove === true && cmd.update !== undefined) {
    fail('FailedToParse', 'Cannot specify both an update and remove=true');
  }
  if (cmd.remove !== true && cmd.update === undefined) {
    fail('FailedToParse', 'Either an update or remove=true must be specified');
  }
  if (cmd.remove === true && cmd.upsert === true)
    fail('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  // One document: blocked by a transaction, it waits and runs again (see retryWhileLocked).
  const reply = await retryWhileLocked(ctx, commandDeadline(ctx), (): Document => {
    if (cmd.remove === true) {
      const coll = ctx.store.collection(ctx.db, name);
      let doc: Document | undefined;
      if (coll) {
        const collation = commandCollation(cmd.collation, coll);
        const docs = readCollated(ctx.store, coll, query, collation, cmd.sort ? undefined : 1);
        if (cmd.sort && isPlainObject(cmd.sort)) docs.sort(sortComparator(cmd.sort, collation?.compare));
        doc = docs[0];
        if (doc) ctx.store.delete(coll, doc);
      }
      return { lastErrorObject: { n: doc ? 1 : 0 }, value: doc ? project(doc) : null, ok: 1 };
    }
    const r = runUpdate(ctx.store, ctx.db, name, {
      q: query,
      u: bindUpdate(cmd.update as Document, vars),
      upsert: cmd.upsert === true,
      arrayFilters: cmd.arrayFilters as Document[] | undefined,
      sort: cmd.sort as Document | undefined,
      collation: cmd.collation,
    });
    const value = cmd.new === true ? r.after : r.upsertedId !== undefined ? undefined : r.before;
    const lastErrorObject: Document = {
      n: r.upsertedId !== undefined ? 1 : r.matched,
      updatedExisting: r.matched > 0,
    };
    if (r.upsertedId !== undefined) lastErrorObject.upserted = r.upsertedId;
    return { lastErrorObject, value: value ? project(value) : null, ok: 1 };
  });
  await ctx.store.flush(reply);
  return reply;
});
