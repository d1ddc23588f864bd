import type { Document } from 'bson';
import { numberOf } from '../bsonUtil.js';
import type { OplogEntry } from '../changes/oplog.js';
import { cosmosExpiry } from '../cosmos.js';
import { type DocumentLocks, lockKey } from '../locks.js';
import type { Collection } from './collection.js';
import type { Engine } from './engine.js';

/**
 * Deletes expired documents every second (like a fast mongod): those whose TTL-indexed date is older
 * than expireAfterSeconds or, with `cosmos`, as Cosmos DB (RU) does: by their last write time and the
 * `_ts` TTL index or their own `ttl` (cosmos.ts, `cosmosExpiry`); other TTL indexes then expire nothing.
 */
export class TtlMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly engine: Engine,
    private readonly log: (level: 'error' | 'info' | 'debug', msg: string) => void,
    private readonly intervalMs = 1000,
    private readonly locks?: DocumentLocks,
    private readonly cosmos = false,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const now = Date.now();
      const entries: OplogEntry[] = [];
      for (const coll of this.engine.collections.values()) {
        for (const doc of this.expired(coll, now)) {
          // Written by an open transaction: a later pass deletes it (mongod's TTL retries on conflicts).
          if (this.locks?.any && this.locks.owner(lockKey(coll.ns, doc._id))) continue;
          const e = this.engine.entry({
            op: 'd',
            db: coll.db,
            coll: coll.name,
            id: doc._id,
            ...coll.preImage(doc),
          });
          this.engine.apply(e);
          entries.push(e);
        }
      }
      if (entries.length) {
        this.log('debug', `TTL monitor removed ${entries.length} documents`);
        await this.engine.write(entries, true);
      }
      return entries.length;
    } catch (err) {
      this.log('error', `TTL monitor: ${(err as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }

  /** The documents of `coll` that have expired at `now` (each once, whichever index expires it). */
  private expired(coll: Collection, now: number): Document[] {
    const found = new Map<string, Document>();
    for (const index of coll.indexes.values()) {
      const secs = numberOf(index.spec.expireAfterSeconds);
      if (secs === undefined || index.fields.length !== 1) continue;
      const field = index.fields[0]!;
      if (this.cosmos) {
        if (field !== '_ts') continue;
        for (const [id, doc] of coll.docs) {
          const at = cosmosExpiry(coll.writtenAt.get(id) ?? now, doc.ttl, secs);
          if (at !== undefined && at <= now) found.set(id, doc);
        }
        continue;
      }
      const cutoff = now - secs * 1000;
      for (const [id, doc] of coll.docs) {
        const v = doc[field];
        const dates = (Array.isArray(v) ? v : [v]).filter((x): x is Date => x instanceof Date);
        if (dates.length === 0) continue;
        if (Math.min(...dates.map((d) => d.getTime())) <= cutoff) found.set(id, doc);
      }
    }
    return [...found.values()];
  }
}
