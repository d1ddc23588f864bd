import { COSMOS_PROJECTION, documentSpanStart, SpanKind, tracer } from '@az-shop/common';
import { backoffDelay, sleep } from '@az-shop/common/backoff';
import type { FastifyBaseLogger } from 'fastify';
import type { ChangeStream, ChangeStreamDocument, Collection, Document, ResumeToken } from 'mongodb';

export type ChangeListener<T> = (doc: T) => void;

export interface ChangeHubOptions<T extends Document> {
  name: string;
  collection: Collection<T>;
  /** Which subscribers a changed document is for. */
  keyOf(doc: T): string | undefined;
  log: FastifyBaseLogger;
  /** Pause after a failure: doubles from `retryBaseMs` up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/**
 * Inserts, updates and replaces with the whole document: a `$match` plus the `$project` Cosmos DB's
 * API for MongoDB requires (MongoDB accepts it as well).
 */
const PIPELINE: Document[] = [
  { $match: { operationType: { $in: ['insert', 'update', 'replace'] } } },
  { $project: { ...COSMOS_PROJECTION } },
];

/** The key whose subscribers get every change, whatever its own key (the back office's boards). */
export const EVERY_KEY = '\u0000every';

/** MongoDB's code for a resume token that fell off the oplog: resuming from it can never work. */
const HISTORY_LOST = 286;

/**
 * One change stream on a collection for the whole server, fanned out to subscribers by key (an
 * order id, a product id). Opened on the first subscription, kept open after, resumed from its last
 * token after an error, closed by `close()` (the app's onClose).
 */
export class ChangeHub<T extends Document> {
  private readonly listeners = new Map<string, Set<ChangeListener<T>>>();
  private opened: Promise<void> | undefined;
  private stream: ChangeStream<T> | undefined;
  private resumeToken: ResumeToken | undefined;
  private closed = false;
  /** Cuts a pause between retries short when the hub closes. */
  private readonly closing = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: ChangeHubOptions<T>) {}

  /**
   * Calls `listener` with every later change of a document with this key. Resolves once the stream is
   * open, so a change written after that reaches the listener; resolves also when opening failed
   * (the hub keeps retrying), so a subscriber is never left waiting.
   */
  async subscribe(key: string, listener: ChangeListener<T>): Promise<() => void> {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    const unsubscribe = () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
    if (this.closed) return unsubscribe;
    this.opened ??= new Promise((resolve) => {
      this.running = this.run(resolve);
    });
    await this.opened;
    return unsubscribe;
  }

  /** Subscribers, over all keys (for tests and metrics). */
  get size(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    await this.stream?.close().catch(() => undefined);
    await this.running;
    this.listeners.clear();
  }

  private async run(opened: () => void): Promise<void> {
    const { collection, log, name } = this.options;
    let failures = 0;
    while (!this.closed) {
      const stream = collection.watch<T, ChangeStreamDocument<T>>(PIPELINE, {
        fullDocument: 'updateLookup',
        ...(this.resumeToken !== undefined && { resumeAfter: this.resumeToken }),
      });
      this.stream = stream;
      // The aggregate fixes where the stream starts (its first resume token): every later write is
      // seen. Open from then, not after tryNext's first getMore, which the server holds up to a second
      // when nothing changed (a second of web's start per hub). A server that sends no token (pre-4.0.7)
      // opens after tryNext, as before.
      stream.once('resumeTokenChanged', () => opened());
      try {
        // tryNext sends the aggregate, then one getMore.
        let change = await stream.tryNext();
        opened();
        failures = 0;
        while (!this.closed) {
          this.resumeToken = stream.resumeToken ?? this.resumeToken;
          if (change) this.dispatch(change);
          change = await stream.next();
        }
      } catch (error) {
        if (this.closed) break;
        failures++;
        if ((error as { code?: number }).code === HISTORY_LOST) this.resumeToken = undefined;
        log.warn({ err: error, hub: name, failures }, 'change stream failed; reopening');
        opened();
        await this.pause(failures);
      } finally {
        await stream.close().catch(() => undefined);
      }
    }
    opened();
  }

  private pause(failures: number): Promise<void> {
    const { retryBaseMs = 250, retryMaxMs = 10_000 } = this.options;
    return sleep(backoffDelay(failures, retryBaseMs, retryMaxMs), this.closing.signal);
  }

  private dispatch(change: ChangeStreamDocument<T>): void {
    const doc = 'fullDocument' in change ? change.fullDocument : undefined;
    if (!doc) return; // deleted before the lookup: the next change will tell
    const key = this.options.keyOf(doc as T);
    const keyed = key === undefined ? [] : (this.listeners.get(key) ?? []);
    const listeners = [...keyed, ...(this.listeners.get(EVERY_KEY) ?? [])];
    if (listeners.length === 0) return;
    // The live update's hop to the browser, in the trace of the write that changed the document.
    const { parent, links } = documentSpanStart([doc]);
    const attributes = { 'az_shop.hub': this.options.name, 'az_shop.subscribers': listeners.length };
    const span = tracer.startSpan(
      `web.live ${this.options.name}`,
      { kind: SpanKind.CONSUMER, attributes, links },
      parent,
    );
    for (const listener of listeners) {
      try {
        listener(doc as T);
      } catch (error) {
        this.options.log.error({ err: error, hub: this.options.name }, 'change listener failed');
      }
    }
    span.end();
  }
}
