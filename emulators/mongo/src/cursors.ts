import { BSON, type Document, Long } from 'bson';
import { fail } from './errors.js';

export interface Batch {
  docs: Document[];
  exhausted: boolean;
  postBatchResumeToken?: Document;
}

export interface ServerCursor {
  id: Long;
  ns: string;
  lastUsed: number;
  /** Resolves the next batch; `maxTimeMS` only matters for awaitable (change stream) cursors. */
  next(batchSize: number | undefined, maxTimeMS: number | undefined): Promise<Batch>;
  close(): void;
  /** Session that opened the cursor (killSessions/endSessions close it). */
  lsid?: string;
}

const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

/** Cursor ids are global to the server (not per connection), so a cursor survives a client reconnect. */
export class CursorRegistry {
  private cursors = new Map<string, ServerCursor>();
  private timer: NodeJS.Timeout;

  constructor(private idleTimeoutMs = IDLE_TIMEOUT_MS) {
    this.timer = setInterval(() => this.reap(), Math.min(60_000, idleTimeoutMs));
    this.timer.unref();
  }

  newId(): Long {
    for (;;) {
      const id = Long.fromNumber(Math.floor(Math.random() * 2 ** 52) + 1);
      if (!this.cursors.has(id.toString())) return id;
    }
  }

  add(c: ServerCursor): void {
    this.cursors.set(c.id.toString(), c);
  }

  get(id: Long | number): ServerCursor {
    const c = this.cursors.get(id.toString());
    if (!c) fail('CursorNotFound', `cursor id ${id.toString()} not found`);
    c.lastUsed = Date.now();
    return c;
  }

  has(id: Long | number): boolean {
    return this.cursors.has(id.toString());
  }

  remove(id: Long | number): boolean {
    const key = id.toString();
    const c = this.cursors.get(key);
    if (!c) return false;
    c.close();
    this.cursors.delete(key);
    return true;
  }

  killSession(lsid: string): void {
    for (const c of [...this.cursors.values()]) if (c.lsid === lsid) this.remove(c.id);
  }

  get size(): number {
    return this.cursors.size;
  }

  reap(): void {
    const cutoff = Date.now() - this.idleTimeoutMs;
    for (const c of [...this.cursors.values()]) if (c.lastUsed < cutoff) this.remove(c.id);
  }

  closeAll(): void {
    for (const c of [...this.cursors.values()]) this.remove(c.id);
    clearInterval(this.timer);
  }
}

/** Cursor over a materialised result (find/aggregate/listCollections...). */
export class ArrayCursor implements ServerCursor {
  lastUsed = Date.now();
  private pos = 0;
  constructor(
    readonly id: Long,
    readonly ns: string,
    private docs: Document[],
    private readonly transform: (d: Document) => Document = (d) => d,
    readonly lsid?: string,
  ) {}

  async next(batchSize: number | undefined): Promise<Batch> {
    return this.take(batchSize || undefined);
  }

  /** `batchSize` 0 on the first batch means "only open the cursor" (mongod semantics). */
  take(batchSize: number | undefined): Batch {
    if (batchSize === 0) return { docs: [], exhausted: false };
    const limit = batchSize && batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER;
    const out: Document[] = [];
    let bytes = 0;
    while (this.pos < this.docs.length && out.length < limit) {
      const d = this.transform(this.docs[this.pos]!);
      bytes += BSON.calculateObjectSize(d);
      if (out.length > 0 && bytes > MAX_BATCH_BYTES) break;
      out.push(d);
      this.pos++;
    }
    return { docs: out, exhausted: this.pos >= this.docs.length };
  }

  close(): void {
    this.docs = [];
  }
}

export function cursorReply(
  id: Long,
  ns: string,
  batch: Document[],
  first: boolean,
  extra?: Document,
): Document {
  return {
    cursor: { [first ? 'firstBatch' : 'nextBatch']: batch, id, ns, ...(extra ?? {}) },
    ok: 1,
  };
}
