import { BSON, type Document, type Timestamp } from 'bson';
import { keyOf } from '../bsonUtil.js';
import { ClusterClock, Oplog, type OplogEntry } from '../changes/oplog.js';
import { fail } from '../errors.js';
import { Collection, PRE_IMAGES_OPTION } from './collection.js';
import type { IndexSpec } from './indexes.js';
import type { Persistence, RetryRecord } from './persistence.js';

export type EntryInit = Omit<OplogEntry, 'seq' | 'ts' | 'wall'>;

/** A document version a write replaced (null: the document did not exist). */
export interface ReplacedVersion {
  ns: string;
  /** keyOf(_id). */
  id: string;
  doc: Document | null;
}

export interface EngineOptions {
  oplogMaxEntries: number;
  oplogMaxAgeSeconds: number;
}

/** The in-memory database state plus its change log. All mutations go through `apply` (live and replay). */
export class Engine {
  readonly collections = new Map<string, Collection>();
  readonly clock = new ClusterClock();
  readonly oplog: Oplog;
  /**
   * Per document (ns + id key) the seq of its last write, for write-conflict detection. Only needed for writes
   * after the oldest open transaction started, so it is kept only while transactions are open.
   */
  readonly versions = new Map<string, number>();
  /**
   * The document versions replaced by writes since the oldest open transaction started (seq → namespace, id
   * key, replaced version or null): snapshot reads rebuild from them. Kept apart from the change log, whose
   * pre-images exist only for collections with changeStreamPreAndPostImages.
   */
  readonly replaced = new Map<number, ReplacedVersion>();
  /** Start seq of each open transaction → how many started there. */
  private readonly openStarts = new Map<number, number>();
  identity = '0000000000000000';
  persistence: Persistence | null = null;
  /**
   * Retryable-write outcomes by encoded lsid (the latest txnNumber of each session), as journaled: snapshots
   * carry them and recovery restores them (sessions.ts turns them back into sessions).
   */
  readonly retryRecords = new Map<string, RetryRecord>();
  private seq = 0;

  constructor(options: EngineOptions) {
    this.oplog = new Oplog(options.oplogMaxEntries, options.oplogMaxAgeSeconds);
  }

  transactionOpened(startSeq: number): void {
    this.openStarts.set(startSeq, (this.openStarts.get(startSeq) ?? 0) + 1);
  }

  transactionClosed(startSeq: number): void {
    const n = (this.openStarts.get(startSeq) ?? 1) - 1;
    if (n > 0) this.openStarts.set(startSeq, n);
    else this.openStarts.delete(startSeq);
    if (this.openStarts.size === 0) {
      this.versions.clear();
      this.replaced.clear();
      return;
    }
    // No open transaction reads versions replaced at or before its start.
    const oldest = Math.min(...this.openStarts.keys());
    for (const seq of this.replaced.keys()) {
      if (seq > oldest) break;
      this.replaced.delete(seq);
    }
  }

  /** Remembers what a write replaced, while a transaction may still read the version before it. */
  private noteWrite(seq: number, ns: string, id: string, old: Document | undefined): void {
    if (this.openStarts.size === 0) return;
    this.versions.set(`${ns}\u0000${id}`, seq);
    this.replaced.set(seq, { ns, id, doc: old ?? null });
  }

  get lastSeq(): number {
    return this.seq;
  }

  setLastSeq(seq: number): void {
    this.seq = Math.max(this.seq, seq);
  }

  getCollection(db: string, coll: string): Collection | undefined {
    return this.collections.get(`${db}.${coll}`);
  }

  databaseNames(): string[] {
    const names = new Set<string>();
    for (const c of this.collections.values()) names.add(c.db);
    return [...names].sort();
  }

  collectionsOf(db: string): Collection[] {
    return [...this.collections.values()].filter((c) => c.db === db);
  }

  entry(init: EntryInit): OplogEntry {
    return { seq: ++this.seq, ts: this.clock.next(), wall: new Date(), ...init };
  }

  /** Entries needed before writing into a collection that may not exist yet (implicit creation). */
  ensureCollection(db: string, coll: string, out: OplogEntry[]): Collection {
    const existing = this.getCollection(db, coll);
    if (existing) return existing;
    validateNamespace(db, coll);
    const e = this.entry({ op: 'create', db, coll, spec: {} });
    this.apply(e);
    out.push(e);
    return this.getCollection(db, coll)!;
  }

  /**
   * Applies entries to memory right away and resolves once they are durable (then change streams see them).
   * `retry` is the retryable-write record of the command that made them, journaled with them (also when the
   * command changed nothing: a retry must still get the first answer).
   */
  async write(entries: OplogEntry[], alreadyApplied = false, retry?: RetryRecord): Promise<void> {
    if (retry) this.noteRetry(retry);
    if (entries.length === 0) {
      if (retry && this.persistence) await this.persistence.append(entries, retry);
      return;
    }
    if (!alreadyApplied) for (const e of entries) this.apply(e);
    for (const e of entries) this.oplog.append(e);
    const last = entries[entries.length - 1]!.seq;
    if (this.persistence) await this.persistence.append(entries, retry);
    this.oplog.markDurable(last);
  }

  /** Keeps the newest record per session (live and when recovering). */
  noteRetry(r: RetryRecord): void {
    const cur = this.retryRecords.get(r.key);
    if (!cur || cur.txnNumber <= r.txnNumber) this.retryRecords.set(r.key, r);
  }

  /** Idempotent state change for one entry (used live and when replaying the journal). */
  apply(e: OplogEntry): void {
    this.clock.observe(e.ts);
    this.setLastSeq(e.seq);
    const ns = `${e.db}.${e.coll}`;
    switch (e.op) {
      case 'i':
      case 'u':
      case 'r': {
        const coll = this.getCollection(e.db, e.coll!) ?? this.createCollection(e.db, e.coll!, {});
        const id = keyOf(e.doc!._id);
        this.noteWrite(e.seq, ns, id, coll.put(id, e.doc!, e.wall.getTime()));
        break;
      }
      case 'd': {
        const id = keyOf(e.id);
        this.noteWrite(e.seq, ns, id, this.getCollection(e.db, e.coll!)?.remove(id));
        break;
      }
      case 'create':
        if (!this.collections.has(ns)) {
          const uuid = e.spec?.uuid;
          const options = { ...(e.spec ?? {}) };
          delete options.uuid;
          const c = this.createCollection(e.db, e.coll!, options);
          if (uuid) c.uuid = uuid;
          else if (e.spec) e.spec.uuid = c.uuid;
        }
        break;
      case 'drop':
        this.collections.delete(ns);
        break;
      case 'dropDatabase':
        for (const c of this.collectionsOf(e.db)) this.collections.delete(c.ns);
        break;
      case 'rename': {
        const c = this.collections.get(ns);
        if (!c) break;
        const to = e.to as { db: string; coll: string };
        this.collections.delete(ns);
        const moved = new Collection(to.db, to.coll, c.options, c.uuid);
        for (const [name, index] of c.indexes) if (name !== '_id_') moved.addIndex(index.spec);
        for (const [id, doc] of c.docs) moved.put(id, doc, c.writtenAt.get(id));
        this.collections.set(moved.ns, moved);
        break;
      }
      case 'createIndexes': {
        const c = this.getCollection(e.db, e.coll!) ?? this.createCollection(e.db, e.coll!, {});
        const spec = e.spec as IndexSpec;
        if (!c.indexes.has(spec.name)) c.addIndex(spec);
        break;
      }
      case 'dropIndexes':
        this.getCollection(e.db, e.coll!)?.indexes.delete(String(e.spec?.name));
        break;
      case 'collMod': {
        const c = this.getCollection(e.db, e.coll!);
        if (!c || !e.spec) break;
        const { index, ...options } = e.spec;
        Object.assign(c.options, options);
        // `{enabled: false}` removes the option (mongod lists it only while enabled).
        if (!c.keepsPreImages) delete c.options[PRE_IMAGES_OPTION];
        if (index && typeof index === 'object') {
          const target = [...c.indexes.values()].find(
            (i) =>
              i.name === index.name || (index.keyPattern && keyOf(i.spec.key) === keyOf(index.keyPattern)),
          );
          if (target && index.expireAfterSeconds !== undefined) {
            target.spec.expireAfterSeconds = index.expireAfterSeconds;
          }
        }
        break;
      }
    }
  }

  private createCollection(db: string, coll: string, options: Document): Collection {
    const c = new Collection(db, coll, options);
    this.collections.set(c.ns, c);
    return c;
  }

  clusterTime(): Timestamp {
    return this.clock.current();
  }
}

export function validateNamespace(db: string, coll: string): void {
  if (!db || /[/\\. "$\0]/.test(db) || db.length > 64)
    fail('InvalidNamespace', `Invalid database name: '${db}'`);
  if (!coll || coll.includes('\0') || coll.startsWith('.') || coll.includes('$')) {
    fail('InvalidNamespace', `Invalid collection name: ${coll}`);
  }
}

// Stored documents and journal records may exceed the default serialisation buffer (pre+post images).
BSON.setInternalBufferSize(64 * 1024 * 1024);
