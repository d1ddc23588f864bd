import type { Document, Long, Timestamp } from 'bson';
import { Aggregator } from 'mingo';
import { ProcessingMode } from 'mingo/core';
import { bsonType, isPlainObject, keyOf, valuesEqual } from '../bsonUtil.js';
import type { CommandContext } from '../commands/context.js';
import { checkCosmosChangeStream } from '../cosmos.js';
import { type Batch, cursorReply, type ServerCursor } from '../cursors.js';
import { fail } from '../errors.js';
import { compileFilter, type Predicate } from '../query/match.js';
import type { Engine } from '../storage/engine.js';
import { decodeToken, EVENT_OPS, encodeToken, type OplogEntry, tsCompare } from './oplog.js';
import { updateDescription } from './updateDescription.js';

const DEFAULT_AWAIT_MS = 1000;
const ALLOWED_STAGES = new Set([
  '$match',
  '$project',
  '$addFields',
  '$set',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
  '$redact',
]);
const FULL_DOCUMENT = new Set(['default', 'updateLookup', 'whenAvailable', 'required']);
const BEFORE_CHANGE = new Set(['off', 'whenAvailable', 'required']);
const INTERNAL_DBS = new Set(['admin', 'config', 'local']);
/** DDL events mongod only emits with showExpandedEvents. */
const EXPANDED_OPS = new Set(['create', 'createIndexes', 'dropIndexes', 'collMod']);

interface Scope {
  db?: string;
  coll?: string;
}

interface StreamOptions {
  fullDocument: string;
  fullDocumentBeforeChange: string;
  showExpandedEvents: boolean;
}

export class ChangeStreamCursor implements ServerCursor {
  lastUsed = Date.now();
  private closed = false;
  private invalidated = false;
  private readonly signal = { cancelled: false };
  /** The user pipeline's leading `$match` stages that run before the image checks (see splitPipeline). */
  private readonly early: Predicate | null;
  private readonly filter: Predicate | null;
  private readonly transform: Aggregator | null;

  constructor(
    readonly id: Long,
    readonly ns: string,
    private readonly engine: Engine,
    private readonly scope: Scope,
    private readonly options: StreamOptions,
    pipeline: Document[],
    /** Seq of the last entry already delivered (or skipped). */
    private position: number,
    private positionTs: Timestamp,
    readonly lsid?: string,
  ) {
    const { early, rest } = splitPipeline(pipeline);
    this.early = early.length ? combine(early.map((s) => compileFilter(s.$match as Document))) : null;
    const onlyMatch = rest.every((s) => '$match' in s);
    this.filter =
      onlyMatch && rest.length ? combine(rest.map((s) => compileFilter(s.$match as Document))) : null;
    this.transform =
      !onlyMatch && rest.length
        ? new Aggregator(rest, {
            useStrictMode: true,
            scriptEnabled: false,
            processingMode: ProcessingMode.CLONE_INPUT,
          })
        : null;
  }

  async next(batchSize: number | undefined, maxTimeMS: number | undefined): Promise<Batch> {
    const wait = maxTimeMS ?? DEFAULT_AWAIT_MS;
    const deadline = Date.now() + wait;
    for (;;) {
      const docs = this.collect(batchSize && batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER);
      const now = Date.now();
      if (docs.length > 0 || this.invalidated || this.closed || now >= deadline) {
        return { docs, exhausted: this.invalidated || this.closed, postBatchResumeToken: this.resumeToken() };
      }
      await this.engine.oplog.waitForChange(deadline - now, this.signal);
    }
  }

  /** Resume token of the current position (the postBatchResumeToken). */
  resumeToken(): Document {
    return encodeToken({ ts: this.positionTs, seq: this.position, identity: this.engine.identity });
  }

  collect(limit: number): Document[] {
    const oplog = this.engine.oplog;
    if (this.position < oplog.trimmedSeq) {
      fail(
        'ChangeStreamHistoryLost',
        'Resume of change stream was not possible, as the resume point may no longer be in the oplog.',
      );
    }
    const out: Document[] = [];
    let i = oplog.indexAfter(this.position);
    while (i < oplog.entries.length && out.length < limit && !this.invalidated) {
      const e = oplog.entries[i]!;
      if (e.seq > oplog.durableSeq) break;
      i++;
      this.position = e.seq;
      this.positionTs = e.ts;
      for (const ev of this.eventsFor(e)) {
        if (this.early && ev.operationType !== 'invalidate' && !this.early(ev)) continue;
        this.requireImages(ev);
        const shaped = this.shape(ev);
        if (shaped) out.push(shaped);
      }
    }
    return out;
  }

  private inScope(e: OplogEntry): boolean {
    if (!EVENT_OPS.has(e.op) && !(this.options.showExpandedEvents && EXPANDED_OPS.has(e.op))) return false;
    const { db, coll } = this.scope;
    if (db === undefined) return !INTERNAL_DBS.has(e.db) && !(e.coll ?? '').startsWith('system.');
    if (e.db !== db) return false;
    if (coll === undefined) return e.op === 'dropDatabase' || !(e.coll ?? '').startsWith('system.');
    return e.coll === coll;
  }

  private eventsFor(e: OplogEntry): Document[] {
    if (!this.inScope(e)) return [];
    const base = (op: string, invalidate = false): Document => ({
      _id: encodeToken({ ts: e.ts, seq: e.seq, identity: this.engine.identity, invalidate }),
      operationType: op,
      clusterTime: e.ts,
      wallTime: e.wall,
    });
    const ns = { db: e.db, coll: e.coll };
    const txn = (ev: Document): Document => {
      if (e.lsid) {
        ev.lsid = e.lsid;
        ev.txnNumber = e.txnNumber;
      }
      return ev;
    };
    const fd = this.options.fullDocument;
    const pre = this.options.fullDocumentBeforeChange;
    // Images exist only for writes to collections with changeStreamPreAndPostImages (OplogEntry.pre);
    // requireImages fails the stream for a missing required one.
    const withPre = (ev: Document): Document => {
      if (pre === 'whenAvailable' || pre === 'required') ev.fullDocumentBeforeChange = e.pre ?? null;
      return ev;
    };
    switch (e.op) {
      case 'i':
        return [
          txn({ ...base('insert'), ...this.uuid(e), fullDocument: e.doc, ns, documentKey: { _id: e.id } }),
        ];
      case 'r':
        return [
          txn(
            withPre({
              ...base('replace'),
              ...this.uuid(e),
              fullDocument: e.doc,
              ns,
              documentKey: { _id: e.id },
            }),
          ),
        ];
      case 'u': {
        const ev: Document = { ...base('update'), ...this.uuid(e) };
        if (fd === 'updateLookup')
          ev.fullDocument = this.engine.getCollection(e.db, e.coll!)?.get(keyOf(e.id)) ?? null;
        // mongod computes these post-images from the pre-image: without one there is none.
        else if (fd === 'whenAvailable' || fd === 'required')
          ev.fullDocument = e.pre ? (e.doc ?? null) : null;
        ev.ns = ns;
        ev.documentKey = { _id: e.id };
        ev.updateDescription = updateDescription(e.upd, this.options.showExpandedEvents);
        return [txn(withPre(ev))];
      }
      case 'd':
        return [txn(withPre({ ...base('delete'), ...this.uuid(e), ns, documentKey: { _id: e.id } }))];
      case 'drop': {
        const evs: Document[] = [{ ...base('drop'), ns }];
        if (this.scope.coll !== undefined) {
          this.invalidated = true;
          evs.push(base('invalidate', true));
        }
        return evs;
      }
      case 'rename': {
        const evs: Document[] = [{ ...base('rename'), ns, to: e.to }];
        if (this.scope.coll !== undefined) {
          this.invalidated = true;
          evs.push(base('invalidate', true));
        }
        return evs;
      }
      case 'dropDatabase': {
        const evs: Document[] = [{ ...base('dropDatabase'), ns: { db: e.db } }];
        if (this.scope.db !== undefined) {
          this.invalidated = true;
          evs.push(base('invalidate', true));
        }
        return evs;
      }
      case 'create':
        return [
          {
            ...base('create'),
            ...this.uuid(e),
            ns,
            operationDescription: { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } },
          },
        ];
      case 'createIndexes':
        return [
          { ...base('createIndexes'), ...this.uuid(e), ns, operationDescription: { indexes: [e.spec] } },
        ];
      case 'dropIndexes':
        return [{ ...base('dropIndexes'), ...this.uuid(e), ns, operationDescription: { indexes: [e.spec] } }];
      case 'collMod':
        return [{ ...base('modify'), ...this.uuid(e), ns, operationDescription: e.spec ?? {} }];
      default:
        return [];
    }
  }

  /**
   * `required` images that were not kept fail the stream with mongod's NoMatchingDocument (47) and its
   * message (DocumentSourceChangeStreamAddPreImage / AddPostImage); the pre-image is checked first.
   */
  private requireImages(ev: Document): void {
    const op = ev.operationType;
    if (
      this.options.fullDocumentBeforeChange === 'required' &&
      (op === 'update' || op === 'replace' || op === 'delete') &&
      ev.fullDocumentBeforeChange === null
    ) {
      fail(
        'NoMatchingDocument',
        `Change stream was configured to require a pre-image for all update, delete and replace events, but the pre-image was not found for event: ${describeEvent(ev)}`,
      );
    }
    if (this.options.fullDocument === 'required' && op === 'update' && ev.fullDocument === null) {
      fail(
        'NoMatchingDocument',
        `Change stream was configured to require a post-image for all update events, but the post-image was not found for event: ${describeEvent(ev)}`,
      );
    }
  }

  /** `collectionUUID`, only shown with showExpandedEvents (like mongod). */
  private uuid(e: OplogEntry): Document {
    if (!this.options.showExpandedEvents || !e.coll) return {};
    const c = this.engine.getCollection(e.db, e.coll);
    return c ? { collectionUUID: c.uuid } : {};
  }

  private shape(ev: Document): Document | undefined {
    if (ev.operationType === 'invalidate') return ev;
    if (this.filter) return this.filter(ev) ? ev : undefined;
    if (!this.transform) return ev;
    const [out] = this.transform.run([ev]) as Document[];
    if (!out) return undefined;
    if (!valuesEqual(out._id, ev._id)) {
      fail(
        'ChangeStreamFatalError',
        'Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id field of an event makes it impossible to resume the stream from that point. Only transformations that retain the unmodified _id field are allowed.',
      );
    }
    return out;
  }

  close(): void {
    this.closed = true;
    this.signal.cancelled = true;
    this.engine.oplog.wakeAll();
  }
}

function combine(preds: Predicate[]): Predicate {
  return (d) => preds.every((p) => p(d));
}

/** Filters that may read an image (or anything, through an expression) cannot run before the images exist. */
function mentionsImages(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(mentionsImages);
  if (!isPlainObject(v)) return false;
  return Object.entries(v).some(
    ([k, x]) =>
      k.startsWith('fullDocument') ||
      k === '$expr' ||
      k === '$where' ||
      k === '$jsonSchema' ||
      mentionsImages(x),
  );
}

/**
 * mongod moves the user pipeline's leading `$match` stages ahead of its pre-/post-image stages when they do
 * not depend on the images, so such a filter keeps a `required` stream alive over events it drops (e.g. a
 * database stream filtered to the collections that keep pre-images).
 */
function splitPipeline(pipeline: Document[]): { early: Document[]; rest: Document[] } {
  let n = 0;
  while (n < pipeline.length && '$match' in pipeline[n]! && !mentionsImages(pipeline[n]!.$match)) n++;
  return { early: pipeline.slice(0, n), rest: pipeline.slice(n) };
}

/** The event as mongod's makePreImageNotFoundErrorMsg prints it (Document::toString of four fields). */
function describeEvent(ev: Document): string {
  const ns = (ev.ns ?? {}) as Document;
  const ts = ev.clusterTime as Timestamp;
  const parts = [
    `operationType: "${String(ev.operationType)}"`,
    `ns: {db: "${String(ns.db)}", coll: "${String(ns.coll)}"}`,
    `clusterTime: Timestamp(${ts.t}, ${ts.i})`,
  ];
  if (ev.txnNumber !== undefined) parts.push(`txnNumber: ${String(ev.txnNumber)}`);
  return `{${parts.join(', ')}}`;
}

/** `aggregate` with a leading `$changeStream`. */
export function openChangeStream(ctx: CommandContext, pipeline: Document[]): Document {
  const spec = pipeline[0]!.$changeStream;
  if (!isPlainObject(spec)) fail('TypeMismatch', 'the $changeStream stage must be specified as an object');
  const rest = pipeline.slice(1);
  for (const s of rest) {
    const name = Object.keys(s)[0]!;
    if (!ALLOWED_STAGES.has(name))
      fail('Location40600', `${name} is not permitted in a $changeStream pipeline`);
  }
  if (ctx.server.cosmos) checkCosmosChangeStream(ctx, spec, rest);
  const fullDocument = (spec.fullDocument as string | undefined) ?? 'default';
  const fullDocumentBeforeChange = (spec.fullDocumentBeforeChange as string | undefined) ?? 'off';
  if (!FULL_DOCUMENT.has(fullDocument)) fail('BadValue', `unknown full document option: '${fullDocument}'`);
  if (!BEFORE_CHANGE.has(fullDocumentBeforeChange)) {
    fail('BadValue', `unknown fullDocumentBeforeChange option: '${fullDocumentBeforeChange}'`);
  }
  const target = ctx.cmd.aggregate;
  const engine = ctx.engine;
  let scope: Scope;
  let ns: string;
  if (typeof target === 'string') {
    if (ctx.db === 'admin' || ctx.db === 'config' || ctx.db === 'local') {
      fail('InvalidNamespace', `$changeStream may not be opened on the internal ${ctx.db} database`);
    }
    scope = { db: ctx.db, coll: target };
    ns = `${ctx.db}.${target}`;
  } else if (spec.allChangesForCluster === true) {
    if (ctx.db !== 'admin')
      fail(
        'Location40573',
        "A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database",
      );
    scope = {};
    ns = 'admin.$cmd.aggregate';
  } else {
    if (ctx.db === 'admin')
      fail('Location40573', '$changeStream on the admin database requires allChangesForCluster: true');
    scope = { db: ctx.db };
    ns = `${ctx.db}.$cmd.aggregate`;
  }
  const given = [spec.resumeAfter, spec.startAfter, spec.startAtOperationTime].filter((x) => x !== undefined);
  if (given.length > 1) {
    fail('Location40674', 'Only one type of resume option is allowed, but multiple were found.');
  }
  let position = engine.oplog.durableSeq;
  let positionTs = engine.clusterTime();
  const oplog = engine.oplog;
  const token = spec.resumeAfter ?? spec.startAfter;
  if (token !== undefined) {
    const point = decodeToken(token);
    if (!point)
      fail(
        'ChangeStreamFatalError',
        `Invalid resume token: ${JSON.stringify(token)} was not produced by this server`,
      );
    if (point.identity !== engine.identity) {
      fail(
        'ChangeStreamFatalError',
        `Resume token was issued by a different mongo-emulator data directory (token identity ${point.identity}, server identity ${engine.identity}); the change history it refers to does not exist here.`,
      );
    }
    if (point.invalidate && spec.resumeAfter !== undefined) {
      fail(
        'InvalidResumeToken',
        'Attempting to resume a change stream using an invalidate event. Use startAfter instead.',
      );
    }
    if (point.seq > engine.lastSeq) {
      fail('ChangeStreamFatalError', 'Resume token refers to a point in the future of this server');
    }
    if (point.seq < oplog.trimmedSeq) {
      fail(
        'ChangeStreamHistoryLost',
        'Resume of change stream was not possible, as the resume point may no longer be in the oplog.',
      );
    }
    position = point.seq;
    positionTs = point.ts;
  } else if (spec.startAtOperationTime !== undefined) {
    const ts = spec.startAtOperationTime as Timestamp;
    if (bsonType(ts) !== 'Timestamp') fail('TypeMismatch', 'startAtOperationTime must be a timestamp');
    const firstRetained = oplog.entries[0];
    if (oplog.trimmedSeq > 0 && (!firstRetained || tsCompare(firstRetained.ts, ts) > 0)) {
      fail(
        'ChangeStreamHistoryLost',
        'Resume of change stream was not possible, as the resume point may no longer be in the oplog.',
      );
    }
    position = Math.min(oplog.seqBefore(ts), oplog.durableSeq);
    positionTs = ts;
  }
  const id = ctx.cursors.newId();
  const cursor = new ChangeStreamCursor(
    id,
    ns,
    engine,
    scope,
    { fullDocument, fullDocumentBeforeChange, showExpandedEvents: spec.showExpandedEvents === true },
    rest,
    position,
    positionTs,
    ctx.lsid,
  );
  const batchSize = (ctx.cmd.cursor as Document | undefined)?.batchSize;
  const docs = cursor.collect(typeof batchSize === 'number' && batchSize > 0 ? batchSize : 101);
  ctx.cursors.add(cursor);
  return cursorReply(id, ns, docs, true, { postBatchResumeToken: cursor.resumeToken() });
}
