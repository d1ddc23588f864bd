import { numberOf } from '../bsonUtil.js';
import type { OplogEntry } from '../changes/oplog.js';
import { type DocumentLocks, lockKey } from '../locks.js';
import type { Engine } from './engine.js';

/** Deletes documents whose TTL-indexed date is older than expireAfterSeconds (every second, like a fast mongod). */
export class TtlMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly engine: Engine,
    private readonly log: (level: 'error' | 'info' | 'debug', msg: string) => void,
    private readonly intervalMs = 1000,
    private readonly locks?: DocumentLocks,
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
        for (const index of coll.indexes.values()) {
          const secs = numberOf(index.spec.expireAfterSeconds);
          if (secs === undefined || index.fields.length !== 1) continue;
          const field = index.fields[0]!;
          const cutoff = now - secs * 1000;
          for (const doc of [...coll.docs.values()]) {
            const v = doc[field];
            const dates = (Array.isArray(v) ? v : [v]).filter((x): x is Date => x instanceof Date);
            if (dates.length === 0) continue;
            if (Math.min(...dates.map((d) => d.getTime())) > cutoff) continue;
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
}
