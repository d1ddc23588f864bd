import type { Document } from 'bson';
import { keyOf } from './bsonUtil.js';
import type { OplogEntry } from './changes/oplog.js';
import type { DocumentLocks } from './locks.js';
import { compileFilter } from './query/match.js';
import type { Collection, PlanStage } from './storage/collection.js';
import type { Engine, EntryInit } from './storage/engine.js';
import { addedUniqueKeys } from './uniqueKeys.js';

export interface ReadResult {
  docs: Document[];
  stage: PlanStage;
  indexName?: string;
  examined: number;
}

/** Where commands read and write documents: the database directly, or a transaction's view of it. */
export interface Store {
  readonly inTransaction: boolean;
  /** Set from the command's bypassDocumentValidation. */
  bypassValidation: boolean;
  collection(db: string, coll: string): Collection | undefined;
  /** Matching documents in natural order; stops after `limit` matches when given. */
  read(coll: Collection, filter: Document | undefined, limit?: number): ReadResult;
  ensureCollection(db: string, coll: string): Collection;
  insert(coll: Collection, doc: Document): void;
  update(coll: Collection, before: Document, after: Document, op: 'u' | 'r', upd?: Document): void;
  delete(coll: Collection, doc: Document): void;
  /**
   * Call before a statement that writes several documents: outside a transaction it throws
   * LockedByTransaction (before anything is written) if an open transaction has written one of them, or
   * added a unique-index key one of the new versions (`writes`) adds.
   */
  checkWritable(coll: Collection, ids: Iterable<unknown>, writes?: Iterable<VersionChange>): void;
  /**
   * Makes the writes so far durable (no-op inside a transaction: commit does it). Write commands pass their
   * reply: for a retryable write it is journaled with the writes (see DirectStore.retry).
   */
  flush(reply?: Document): Promise<void>;
}

/** A document version written over `before` (undefined for an insert). */
export interface VersionChange {
  before?: Document;
  after: Document;
}

export function readCollection(coll: Collection, filter: Document | undefined, limit?: number): ReadResult {
  const plan = coll.plan(filter);
  const pred = compileFilter(filter);
  const out: Document[] = [];
  let examined = 0;
  const max = limit && limit > 0 ? limit : Number.MAX_SAFE_INTEGER;
  if (plan.ids) {
    for (const id of plan.ids) {
      const d = coll.docs.get(id);
      if (!d) continue;
      examined++;
      if (pred(d)) out.push(d);
      if (out.length >= max) break;
    }
  } else {
    for (const d of coll.docs.values()) {
      examined++;
      if (pred(d)) out.push(d);
      if (out.length >= max) break;
    }
  }
  return { docs: out, stage: plan.stage, indexName: plan.indexName, examined };
}

/** Writes straight to the engine; entries are journaled together on flush(). */
export class DirectStore implements Store {
  readonly inTransaction = false;
  bypassValidation = false;
  /** Set for a retryable write (lsid + txnNumber): flush(reply) records the outcome with the writes. */
  retry: { key: string; lsid: Document; txnNumber: number } | null = null;
  private entries: OplogEntry[] = [];
  constructor(
    private readonly engine: Engine,
    private readonly locks?: DocumentLocks,
  ) {}

  collection(db: string, coll: string): Collection | undefined {
    return this.engine.getCollection(db, coll);
  }

  read(coll: Collection, filter: Document | undefined, limit?: number): ReadResult {
    return readCollection(coll, filter, limit);
  }

  ensureCollection(db: string, coll: string): Collection {
    return this.engine.ensureCollection(db, coll, this.entries);
  }

  insert(coll: Collection, doc: Document): void {
    const id = keyOf(doc._id);
    // Keys an open transaction wrote make the write wait before it can be found duplicate (as in mongod).
    if (this.locks?.any) this.checkWritable(coll, [doc._id], [{ after: doc }]);
    if (coll.docs.has(id)) throw coll.duplicateError(coll.indexes.get('_id_')!, doc);
    if (!this.bypassValidation) coll.validate(doc);
    coll.checkUnique(id, doc, coll.indexes.get('_id_'));
    this.push({ op: 'i', db: coll.db, coll: coll.name, id: doc._id, doc });
  }

  update(coll: Collection, before: Document, after: Document, op: 'u' | 'r', upd?: Document): void {
    const id = keyOf(before._id);
    if (this.locks?.any) this.checkWritable(coll, [before._id], [{ before, after }]);
    if (!this.bypassValidation) coll.validate(after, before);
    coll.checkUnique(id, after, coll.indexes.get('_id_'));
    const entry: EntryInit = { op, db: coll.db, coll: coll.name, id: before._id, doc: after };
    this.push({ ...entry, ...coll.preImage(before), upd });
  }

  delete(coll: Collection, doc: Document): void {
    this.push({ op: 'd', db: coll.db, coll: coll.name, id: doc._id, ...coll.preImage(doc) });
  }

  checkWritable(coll: Collection, ids: Iterable<unknown>, writes?: Iterable<VersionChange>): void {
    if (!this.locks?.any) return;
    this.locks.check(coll.ns, ids);
    for (const w of writes ?? []) {
      this.locks.checkKeys(addedUniqueKeys(coll, w.before, w.after).map((k) => k.lock));
    }
  }

  private push(init: EntryInit): void {
    // A document an open transaction wrote: thrown before anything changes, the command waits and retries.
    if (this.locks?.any) this.locks.check(`${init.db}.${init.coll}`, [init.id]);
    const e = this.engine.entry(init);
    this.engine.apply(e);
    this.entries.push(e);
  }

  async flush(reply?: Document): Promise<void> {
    const entries = this.entries;
    this.entries = [];
    // A copy: the server adds $clusterTime/operationTime to the reply it sends.
    const retry = this.retry && reply ? { ...this.retry, reply: { ...reply }, wall: new Date() } : undefined;
    await this.engine.write(entries, true, retry);
  }
}
