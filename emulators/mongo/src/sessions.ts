import type { Document, Long, Timestamp } from 'bson';
import { keyOf } from './bsonUtil.js';
import type { OplogEntry } from './changes/oplog.js';
import { fail, MongoServerError } from './errors.js';
import { DocumentLocks, type LockOwner, lockKey } from './locks.js';
import { compileFilter } from './query/match.js';
import { Collection } from './storage/collection.js';
import type { Engine, EntryInit } from './storage/engine.js';
import type { IndexSpec } from './storage/indexes.js';
import { DirectStore, type ReadResult, type Store } from './store.js';
import { addedUniqueKeys } from './uniqueKeys.js';

export const TXN_LIFETIME_MS = 60_000;
/** logicalSessionTimeoutMinutes: idle sessions (and their retryable-write records) are forgotten after it. */
export const SESSION_TIMEOUT_MS = 30 * 60_000;

export function lsidKey(lsid: unknown): string | undefined {
  if (lsid === null || typeof lsid !== 'object') return undefined;
  const id = (lsid as Document).id;
  if (id === undefined) return undefined;
  return keyOf(id);
}

function transient(err: MongoServerError): MongoServerError {
  return err.withLabel('TransientTransactionError');
}

interface PendingWrite {
  coll: Collection;
  doc: Document | null;
}

/**
 * A multi-document transaction: reads see the database as of its start (snapshot isolation, rebuilt from the
 * versions later writes replaced, Engine.replaced) plus its own writes; writes stay private until commit,
 * which applies and journals them together so their change events are published at once.
 */
export class Transaction implements Store, LockOwner {
  readonly inTransaction = true;
  bypassValidation = false;
  readonly startSeq: number;
  readonly readTimestamp: Timestamp;
  state: 'inProgress' | 'committed' | 'aborted' = 'inProgress';
  lastUse = Date.now();
  /** Resolved at commit or abort: non-transactional writes to documents it wrote wait for it. */
  readonly released: Promise<void>;
  private resolveReleased!: () => void;
  private readonly writes = new Map<string, PendingWrite>();
  /** Unique-index keys it added (uniqueKeys.ts), locked until it ends. */
  private readonly keyLocks = new Set<string>();
  private readonly ops: EntryInit[] = [];
  private readonly newCollections = new Map<string, Collection>();

  constructor(
    private readonly engine: Engine,
    private readonly sessions: Sessions,
    readonly lsid: Document,
    readonly txnNumber: Long,
  ) {
    this.startSeq = engine.lastSeq; // includes applied writes still waiting for their fsync
    this.readTimestamp = engine.clusterTime();
    this.released = new Promise((resolve) => {
      this.resolveReleased = resolve;
    });
    engine.transactionOpened(this.startSeq);
  }

  collection(db: string, coll: string): Collection | undefined {
    return this.engine.getCollection(db, coll) ?? this.newCollections.get(`${db}.${coll}`);
  }

  ensureCollection(db: string, coll: string): Collection {
    return this.collection(db, coll) ?? this.createCollection(db, coll, {});
  }

  /**
   * A collection this transaction creates (implicitly or with `create`, mongod 4.4+): created at commit, so
   * others see it only then and an abort leaves nothing; until then a private, empty stand-in.
   */
  createCollection(db: string, coll: string, options: Document): Collection {
    const c = new Collection(db, coll, { ...options });
    this.newCollections.set(c.ns, c);
    this.ops.push({ op: 'create', db, coll, spec: { ...options } });
    return c;
  }

  /** Whether this transaction created the collection (so it may index it, as mongod allows). */
  created(coll: Collection): boolean {
    return this.newCollections.get(coll.ns) === coll;
  }

  /**
   * An index on a collection this transaction created: checked against the documents the transaction wrote
   * there (DuplicateKey), kept on the stand-in (its reads) and built on the real collection at commit.
   */
  createIndex(coll: Collection, spec: IndexSpec): void {
    const probe = new Collection(coll.db, coll.name);
    for (const d of this.read(coll, undefined).docs) probe.put(keyOf(d._id), d);
    probe.addIndex(spec);
    coll.addIndex(spec);
    this.ops.push({ op: 'createIndexes', db: coll.db, coll: coll.name, spec });
  }

  /** Document versions as of the snapshot for ids written after it started (undefined: unchanged). */
  private snapshotUndo(coll: Collection): Map<string, Document | null> {
    const undo = new Map<string, Document | null>();
    // In seq order: the first write after the start replaced the snapshot's version.
    for (const [seq, r] of this.engine.replaced) {
      if (seq <= this.startSeq || r.ns !== coll.ns || undo.has(r.id)) continue;
      undo.set(r.id, r.doc);
    }
    return undo;
  }

  read(coll: Collection, filter: Document | undefined, limit?: number): ReadResult {
    this.lastUse = Date.now();
    const undo = this.snapshotUndo(coll);
    const own = new Map<string, Document | null>();
    for (const [k, w] of this.writes) if (w.coll.ns === coll.ns) own.set(k.slice(coll.ns.length + 1), w.doc);
    const plan = coll.plan(filter);
    const pred = compileFilter(filter);
    const ids: Iterable<string> = plan.ids ?? coll.docs.keys();
    const seen = new Set<string>();
    const out: Document[] = [];
    const max = limit && limit > 0 ? limit : Number.MAX_SAFE_INTEGER;
    const visit = (id: string): void => {
      if (seen.has(id) || out.length >= max) return;
      seen.add(id);
      let d: Document | null | undefined;
      if (own.has(id)) d = own.get(id);
      else if (undo.has(id)) d = undo.get(id);
      else d = coll.docs.get(id);
      if (d && pred(d)) out.push(d);
    };
    for (const id of ids) visit(id);
    for (const id of undo.keys()) visit(id);
    for (const id of own.keys()) visit(id);
    return { docs: out, stage: plan.stage, indexName: plan.indexName, examined: seen.size };
  }

  /** The document's lock key; WriteConflict if another open transaction or a newer commit wrote it. */
  private checkDocument(coll: Collection, id: unknown): string {
    const k = lockKey(coll.ns, id);
    const holder = this.sessions.locks.owner(k);
    if (holder && holder !== this) throw writeConflict();
    const v = this.engine.versions.get(k);
    if (v !== undefined && v > this.startSeq) throw writeConflict();
    return k;
  }

  /**
   * The unique-index keys `after` adds, checked as mongod checks them when the write happens: a key another
   * open transaction added, or one committed after this transaction started, is a WriteConflict (mongod's
   * bare-key write conflicts, see uniqueKeys.ts); then a key another document holds in what this
   * transaction sees is DuplicateKey. Returns the lock names to take.
   */
  private checkUniqueKeys(coll: Collection, before: Document | undefined, after: Document): string[] {
    const selfId = keyOf(after._id);
    const added = addedUniqueKeys(coll, before, after);
    if (added.length > 0) {
      const undo = this.snapshotUndo(coll);
      for (const { index, key, lock } of added) {
        const holder = this.sessions.locks.keyOwner(lock);
        if (holder && holder !== this) throw writeConflict();
        for (const id of index.lookup(key) ?? []) {
          // Own writes are judged by the snapshot check below, on this transaction's versions.
          if (id === selfId || this.writes.has(`${coll.ns}\u0000${id}`)) continue;
          const seen = undo.has(id) ? undo.get(id) : coll.docs.get(id);
          if (!seen || !index.keysFor(seen)?.includes(key)) throw writeConflict();
        }
      }
    }
    this.checkUniqueAgainstSnapshot(coll, after, selfId);
    return added.map((a) => a.lock);
  }

  private record(docLock: string, keyLocks: string[], write: PendingWrite, op: EntryInit): void {
    this.sessions.locks.set(docLock, this);
    this.sessions.locks.setKeys(keyLocks, this);
    for (const k of keyLocks) this.keyLocks.add(k);
    this.writes.set(docLock, write);
    this.ops.push(op);
  }

  /** Unique indexes checked against what this transaction sees (its snapshot plus its own writes). */
  private checkUniqueAgainstSnapshot(coll: Collection, doc: Document, selfId: string): void {
    for (const index of coll.indexes.values()) {
      if (!index.unique || index.name === '_id_') continue;
      const keys = index.keysFor(doc);
      if (!keys) continue;
      const filter: Document = {};
      for (const field of index.fields) filter[field] = pathFirst(doc, field);
      const clash = this.read(coll, filter).docs.find(
        (d) => keyOf(d._id) !== selfId && index.keysFor(d)?.some((k) => keys.includes(k)),
      );
      if (clash) throw coll.duplicateError(index, doc);
    }
  }

  insert(coll: Collection, doc: Document): void {
    const existing = this.read(coll, { _id: doc._id }).docs[0];
    if (existing) throw coll.duplicateError(coll.indexes.get('_id_')!, doc);
    if (!this.bypassValidation) coll.validate(doc);
    const k = this.checkDocument(coll, doc._id);
    const keys = this.checkUniqueKeys(coll, undefined, doc);
    this.record(k, keys, { coll, doc }, { op: 'i', db: coll.db, coll: coll.name, id: doc._id, doc });
  }

  update(coll: Collection, before: Document, after: Document, op: 'u' | 'r', upd?: Document): void {
    if (!this.bypassValidation) coll.validate(after, before);
    // The document first: mongod writes the record before its index keys.
    const k = this.checkDocument(coll, before._id);
    const keys = this.checkUniqueKeys(coll, before, after);
    const entry: EntryInit = { op, db: coll.db, coll: coll.name, id: before._id, doc: after };
    this.record(k, keys, { coll, doc: after }, { ...entry, ...coll.preImage(before), upd });
  }

  delete(coll: Collection, doc: Document): void {
    const k = this.checkDocument(coll, doc._id);
    const entry: EntryInit = { op: 'd', db: coll.db, coll: coll.name, id: doc._id, ...coll.preImage(doc) };
    this.record(k, [], { coll, doc: null }, entry);
  }

  /** Conflicts inside a transaction are found as it writes (WriteConflict), never waited for. */
  checkWritable(): void {}

  async flush(): Promise<void> {}

  /** Applies all writes atomically (one journal group, one cluster time) and publishes their events. */
  async commit(): Promise<void> {
    const entries: OplogEntry[] = [];
    let ts: Timestamp | undefined;
    for (const init of this.ops) {
      const e = this.engine.entry({ ...init, lsid: this.lsid, txnNumber: this.txnNumber });
      ts ??= e.ts;
      e.ts = ts;
      if (e.op === 'create' || e.op === 'createIndexes') {
        delete e.lsid;
        delete e.txnNumber;
      }
      entries.push(e);
    }
    // Writes found their conflicts when they ran (unique keys included); this check of the live state only
    // guards what bypasses those locks (a unique index created meanwhile): on a clash everything is undone
    // and the client retries, like a WriteConflict.
    const applied: { e: OplogEntry; old: Document | undefined }[] = [];
    try {
      for (const e of entries) {
        const coll = e.coll ? this.engine.getCollection(e.db, e.coll) : undefined;
        if (coll && e.doc && (e.op === 'i' || e.op === 'u' || e.op === 'r')) {
          const id = keyOf(e.doc._id);
          if (e.op === 'i' && coll.docs.has(id)) throw coll.duplicateError(coll.indexes.get('_id_')!, e.doc);
          coll.checkUnique(id, e.doc, coll.indexes.get('_id_'));
        }
        const old = coll && e.id !== undefined ? coll.get(keyOf(e.id)) : undefined;
        this.engine.apply(e);
        applied.push({ e, old });
      }
    } catch (err) {
      for (const { e, old } of applied.reverse()) this.undo(e, old);
      this.abort();
      throw transient(
        new MongoServerError(
          'WriteConflict',
          `Write conflict at commit: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
    }
    this.state = 'committed';
    this.release();
    await this.engine.write(entries, true);
  }

  /** Reverts one applied entry to `old`, the version it replaced (undefined: there was none). */
  private undo(e: OplogEntry, old: Document | undefined): void {
    const coll = e.coll ? this.engine.getCollection(e.db, e.coll) : undefined;
    if (e.op === 'create') {
      this.engine.collections.delete(`${e.db}.${e.coll}`);
      return;
    }
    if (!coll || e.id === undefined) return;
    if (old) coll.put(keyOf(e.id), old);
    else coll.remove(keyOf(e.id));
  }

  abort(): void {
    if (this.state === 'inProgress') this.state = 'aborted';
    this.release();
  }

  private closed = false;

  /** Drops its locks and wakes the writes waiting for them (they see the committed or old state). */
  private release(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.transactionClosed(this.startSeq);
    this.sessions.locks.release(this.writes.keys(), this);
    this.sessions.locks.releaseKeys(this.keyLocks, this);
    this.resolveReleased();
  }

  get touched(): boolean {
    return this.ops.length > 0;
  }
}

function writeConflict(): MongoServerError {
  return transient(
    new MongoServerError('WriteConflict', 'Write conflict during plan execution and yielding is disabled.'),
  );
}

function pathFirst(doc: Document, path: string): unknown {
  let cur: unknown = doc;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Document)[p];
  }
  if (Array.isArray(cur)) return cur[0] ?? null;
  return cur ?? null;
}

export interface RetryRecord {
  txnNumber: number;
  reply: Promise<Document>;
}

export class Session {
  lastUse = Date.now();
  highestTxnNumber = -1;
  txn: Transaction | null = null;
  retry: RetryRecord | null = null;
  constructor(
    readonly key: string,
    readonly lsid: Document,
  ) {}
}

/** Logical sessions: transactions, retryable-write dedupe and document locks held by open transactions. */
export class Sessions {
  readonly map = new Map<string, Session>();
  readonly locks = new DocumentLocks();
  private timer: NodeJS.Timeout;

  constructor(private readonly engine: Engine) {
    this.timer = setInterval(() => this.reap(), 5_000);
    this.timer.unref();
    this.restoreRetryRecords();
  }

  /**
   * Retryable-write records recovered from the data directory (mongod's config.transactions): a write
   * retried after a restart answers its first reply instead of running again. Expired ones are dropped.
   */
  private restoreRetryRecords(): void {
    const now = Date.now();
    for (const r of [...this.engine.retryRecords.values()]) {
      const wall = r.wall instanceof Date ? r.wall.getTime() : now;
      if (now - wall > SESSION_TIMEOUT_MS) {
        this.engine.retryRecords.delete(r.key);
        continue;
      }
      const s = new Session(r.key, r.lsid);
      s.lastUse = wall;
      s.highestTxnNumber = r.txnNumber;
      s.retry = { txnNumber: r.txnNumber, reply: Promise.resolve(r.reply) };
      this.map.set(r.key, s);
    }
  }

  get(lsid: Document): Session {
    const key = lsidKey(lsid)!;
    let s = this.map.get(key);
    if (!s) {
      s = new Session(key, lsid);
      this.map.set(key, s);
    }
    s.lastUse = Date.now();
    return s;
  }

  /**
   * Every command carrying an lsid vivifies its session in mongod's logical session cache, which
   * `$listLocalSessions` lists: one map lookup (and a new record for a new session).
   */
  seen(key: string, lsid: Document): void {
    const s = this.map.get(key);
    if (s) s.lastUse = Date.now();
    else this.map.set(key, new Session(key, lsid));
  }

  end(key: string): void {
    const s = this.map.get(key);
    if (!s) return;
    s.txn?.abort();
    this.map.delete(key);
    this.engine.retryRecords.delete(key);
  }

  startTransaction(session: Session, txnNumber: Long): Transaction {
    const n = txnNumber.toNumber();
    if (n < session.highestTxnNumber) {
      fail(
        'TransactionTooOld',
        `Cannot start transaction ${n} on session because a newer transaction ${session.highestTxnNumber} has already started`,
      );
    }
    if (n === session.highestTxnNumber && session.txn) {
      fail('ConflictingOperationInProgress', `Transaction ${n} has already been started on this session`);
    }
    session.txn?.abort();
    session.highestTxnNumber = n;
    session.txn = new Transaction(this.engine, this, session.lsid, txnNumber);
    return session.txn;
  }

  /** The open transaction for a command continuing it, or NoSuchTransaction. */
  continueTransaction(session: Session, txnNumber: Long, command: string): Transaction {
    const n = txnNumber.toNumber();
    const txn = session.txn;
    if (!txn || txn.txnNumber.toNumber() !== n) {
      throw transient(
        new MongoServerError('NoSuchTransaction', `Transaction with { txnNumber: ${n} } has been aborted.`),
      );
    }
    if (txn.state === 'committed' && command !== 'commitTransaction' && command !== 'abortTransaction') {
      fail('TransactionCommitted', `Transaction with { txnNumber: ${n} } has been committed.`);
    }
    if (txn.state === 'aborted' && command !== 'abortTransaction') {
      throw transient(
        new MongoServerError('NoSuchTransaction', `Transaction with { txnNumber: ${n} } has been aborted.`),
      );
    }
    txn.lastUse = Date.now();
    return txn;
  }

  direct(): Store {
    return new DirectStore(this.engine, this.locks);
  }

  reap(): void {
    const now = Date.now();
    for (const s of this.map.values()) {
      if (s.txn && s.txn.state === 'inProgress' && now - s.txn.lastUse > TXN_LIFETIME_MS) s.txn.abort();
      if (now - s.lastUse > SESSION_TIMEOUT_MS) this.end(s.key);
    }
  }

  /** Server stop: aborts open transactions; writes waiting for them fail (InterruptedAtShutdown). */
  close(): void {
    clearInterval(this.timer);
    this.locks.stop();
    for (const s of this.map.values()) s.txn?.abort();
  }
}
