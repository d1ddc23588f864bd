import { type Document, type Long, Timestamp } from 'bson';

export type OpKind =
  | 'i' // insert
  | 'u' // update (updateDescription + post-image)
  | 'r' // replace
  | 'd' // delete
  | 'drop'
  | 'dropDatabase'
  | 'rename'
  | 'create'
  | 'createIndexes'
  | 'dropIndexes'
  | 'collMod';

/** One committed change: the unit of the journal, of replication-style replay and of change events. */
export interface OplogEntry {
  seq: number;
  ts: Timestamp;
  wall: Date;
  op: OpKind;
  db: string;
  coll?: string;
  /** documentKey._id for document operations. */
  id?: unknown;
  /** Post-image (insert, update, replace). */
  doc?: Document;
  /**
   * Pre-image (update, replace, delete), only when the collection had changeStreamPreAndPostImages enabled at
   * the time of the write: change streams' fullDocumentBeforeChange and whenAvailable/required post-images.
   * (Data directories written before that rule hold one on every such entry.)
   */
  pre?: Document;
  upd?: Document;
  /** rename target, index spec/name, collection options. */
  to?: Document;
  spec?: Document;
  lsid?: Document;
  txnNumber?: Long;
}

export const EVENT_OPS = new Set<OpKind>(['i', 'u', 'r', 'd', 'drop', 'dropDatabase', 'rename']);

/** Cluster time: a Timestamp (seconds, increment) that only moves forward, also across restarts. */
export class ClusterClock {
  private t = 0;
  private i = 0;
  /** Every reply carries the cluster time: reuse one Timestamp object until the clock moves. */
  private cached: Timestamp | null = null;
  next(): Timestamp {
    this.cached = null;
    const now = Math.floor(Date.now() / 1000);
    if (now > this.t) {
      this.t = now;
      this.i = 1;
    } else this.i++;
    return new Timestamp({ t: this.t, i: this.i });
  }
  observe(ts: Timestamp): void {
    if (ts.t > this.t || (ts.t === this.t && ts.i > this.i)) {
      this.cached = null;
      this.t = ts.t;
      this.i = ts.i;
    }
  }
  current(): Timestamp {
    if (this.t === 0) return this.next();
    this.cached ??= new Timestamp({ t: this.t, i: this.i });
    return this.cached;
  }
}

export interface ResumePoint {
  ts: Timestamp;
  seq: number;
  identity: string;
  /** Token of an invalidate event (only `startAfter` may use it). */
  invalidate?: boolean;
}

const TOKEN_PREFIX = '82';

/**
 * Resume tokens are opaque to drivers. Ours: '82' + ts(16 hex) + seq(16 hex) + flags(2 hex) + data-dir identity(16 hex),
 * so they sort by cluster time and a token from another (e.g. wiped) data directory is recognisable.
 */
export function encodeToken(p: ResumePoint): Document {
  const hex =
    TOKEN_PREFIX +
    p.ts.t.toString(16).padStart(8, '0') +
    p.ts.i.toString(16).padStart(8, '0') +
    p.seq.toString(16).padStart(16, '0') +
    (p.invalidate ? '01' : '00') +
    p.identity;
  return { _data: hex };
}

export function decodeToken(token: unknown): ResumePoint | undefined {
  if (token === null || typeof token !== 'object') return undefined;
  const data = (token as Document)._data;
  if (typeof data !== 'string' || data.length !== 2 + 16 + 16 + 2 + 16 || !data.startsWith(TOKEN_PREFIX))
    return undefined;
  if (!/^[0-9a-f]+$/.test(data)) return undefined;
  const t = Number.parseInt(data.slice(2, 10), 16);
  const i = Number.parseInt(data.slice(10, 18), 16);
  const seq = Number.parseInt(data.slice(18, 34), 16);
  return {
    ts: new Timestamp({ t, i }),
    seq,
    invalidate: data.slice(34, 36) === '01',
    identity: data.slice(36),
  };
}

export function tsCompare(a: Timestamp, b: Timestamp): number {
  return a.t !== b.t ? a.t - b.t : a.i - b.i;
}

/** The retained change log; readers only see entries that are durable (acknowledged). */
export class Oplog {
  entries: OplogEntry[] = [];
  lastSeq = 0;
  durableSeq = 0;
  /** Highest seq ever trimmed away; resuming at or before it means history was lost. */
  trimmedSeq = 0;
  private waiters = new Set<() => void>();

  constructor(
    private maxEntries: number,
    private maxAgeSeconds: number,
  ) {}

  append(e: OplogEntry): void {
    this.entries.push(e);
    this.lastSeq = e.seq;
  }

  markDurable(seq: number): void {
    if (seq <= this.durableSeq) return;
    this.durableSeq = seq;
    this.trim();
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Index of the first entry with seq > `seq`. */
  indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Seq just before the first entry at or after `ts` (so reading "after" it starts at ts). */
  seqBefore(ts: Timestamp): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tsCompare(this.entries[mid]!.ts, ts) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.entries.length) return this.entries[lo]!.seq - 1;
    return this.durableSeq;
  }

  waitForChange(timeoutMs: number, signal?: { cancelled: boolean }): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      if (signal?.cancelled) done();
      else this.waiters.add(done);
    });
  }

  wakeAll(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  trim(): void {
    let drop = 0;
    // Trim in chunks (10% slack) so a full log does not shift the array on every commit.
    const excess = this.entries.length - this.maxEntries;
    if (excess > Math.max(1, this.maxEntries / 10)) drop = excess;
    if (this.maxAgeSeconds > 0) {
      const cutoff = Date.now() / 1000 - this.maxAgeSeconds;
      while (drop < this.entries.length - 1 && this.entries[drop]!.ts.t < cutoff) drop++;
    }
    // Never trim past what readers can see yet.
    while (drop > 0 && this.entries[drop - 1]!.seq > this.durableSeq) drop--;
    if (drop > 0) {
      this.trimmedSeq = this.entries[drop - 1]!.seq;
      this.entries.splice(0, drop);
    }
  }
}
