import type { Db, Document, Timestamp } from 'mongodb';
import type { Logger } from '../logger';

export type ProcessorMode = 'mongo' | 'cosmos';

/**
 * What a handler receives. `operationType` is undefined when the source cannot say: in cosmos mode
 * (Cosmos DB does not return it) and for catch-up events synthesized from existing documents. Treat
 * undefined as "here is the current document" (an upsert) and decide from its state, not the op.
 */
export interface ProcessorEvent<TDoc extends Document = Document> {
  operationType: 'insert' | 'update' | 'replace' | 'delete' | undefined;
  documentKey: Document & { _id: unknown };
  /** The document after the change (updateLookup); null for deletes or when it is gone since. */
  fullDocument: TDoc | null;
  /**
   * The document before the change (a change-stream pre-image), on update, replace and delete events
   * in mongo mode with `preImages` on; null when the server kept none (the collection does not have
   * `changeStreamPreAndPostImages` enabled: see `enablePreImages`). Absent otherwise: inserts,
   * catch-up, cosmos mode, `preImages: false`.
   */
  fullDocumentBeforeChange?: TDoc | null;
  clusterTime?: Timestamp;
  /** The change stream resume token; undefined for catch-up events. */
  token: Document | undefined;
  source: 'stream' | 'catch-up';
}

export interface HandlerContext {
  processor: string;
  partitionKey: string;
  bucket: number;
  /** 1 for the first try, then 2, 3... on retries. */
  attempt: number;
  /** Aborted when this instance stops owning the event's bucket (lease lost) or stops: fencing. */
  signal: AbortSignal;
  logger: Logger;
}

export type Handler<TDoc extends Document = Document> = (
  event: ProcessorEvent<TDoc>,
  ctx: HandlerContext,
) => Promise<void>;

export interface LeaseOptions {
  /** Number of buckets the partition keys hash into; fixed for the life of a processor name. */
  buckets?: number;
  /** How long a lease lives without renewal; renewed every ttl/3. */
  ttlMs?: number;
  /** This instance's identity in the `leases` collection; defaults to host:pid:random. */
  owner?: string;
  /** The release colour this instance runs as (blue-green), recorded on its leases. */
  colour?: string;
}

export interface ProcessorOptions<TDoc extends Document = Document> {
  /** Unique per reaction, e.g. `ordering.onOrderPlaced`: names checkpoints, leases, metrics. */
  name: string;
  db: Db;
  collection: string;
  /** Extra stages after the processor's own (typically a `$match` on `fullDocument.*` fields). */
  pipeline?: Document[];
  /**
   * Catch-up reads documents matching this filter. By default it is read off the pipeline's `$match`
   * stages (`fullDocument.x` → `x`); a pipeline that filters on anything else must pass it.
   */
  catchUpFilter?: Document;
  /**
   * Defaults to `doc.partition_key`. Applied to `fullDocument`, else to the pre-image; an event with
   * neither falls back to `documentKey.partition_key`, then `_id` (and a warning is logged once).
   * Expected not to change over a document's life (it is the shard key).
   */
  partitionKey?: (doc: TDoc) => unknown;
  handle: Handler<TDoc>;
  logger: Logger;
  mode?: ProcessorMode;
  /**
   * Mongo mode: ask for pre-images (`fullDocumentBeforeChange: 'whenAvailable'`), so an event without
   * `fullDocument` (a delete, or an update whose document was deleted before the lookup) is routed by
   * the key it had, and handlers see what changed or was deleted. Default true; the collection must
   * keep pre-images (`enablePreImages`). Cosmos mode has none: true is refused there.
   */
  preImages?: boolean;
  /** Handlers running at once, across partition keys (per stream). Default 16. */
  concurrency?: number;
  /** Events buffered (queued + running) before the stream stops being read. Default 1000. */
  maxBuffered?: number;
  /** Attempts before an event is parked. Default 5. */
  maxAttempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A checkpoint is written after this many finished events or this many ms, whichever first. */
  checkpointEvery?: number;
  checkpointIntervalMs?: number;
  /**
   * A checkpoint moved only by empty batches (no event for its buckets, the stream's position moving on)
   * is saved at most this often (default 60 s), so idle processors write next to nothing.
   */
  idleCheckpointMs?: number;
  /** Only when there is no checkpoint yet: start the stream here instead of "now" (mongo mode). */
  startAtOperationTime?: Timestamp;
  /** Skip catch-up on first start (only follow new changes). Default false. */
  skipCatchUp?: boolean;
  /** Share the work with other instances of the same processor through leases. Off by default. */
  leases?: LeaseOptions | boolean;
  /**
   * With leases in mongo mode and the default partition key: the server sends each instance only its
   * buckets' events (`$toHashedIndexKey`, MongoDB 7.0+). Default true; false reads the whole stream.
   */
  serverBucketFilter?: boolean;
  /**
   * Readiness fails while the lag (`processor_lag_seconds`) is over this many seconds; 0 or absent:
   * never (`PROCESSOR_MAX_LAG_SECONDS`).
   */
  maxLagSeconds?: number;
  /** How often the parked backlog (`processor_parked_events`) is counted. Default 10,000 ms. */
  parkedSampleMs?: number;
  /** How often parked events marked for replay are picked up. Default 5000 ms; 0 turns it off. */
  replayPollMs?: number;
  /** Change stream server wait per getMore. Default 1000 ms. */
  maxAwaitTimeMS?: number;
}

/** A position in the change stream, as stored in a checkpoint. */
export interface StreamPosition {
  token?: Document;
  /** Known in mongo mode: orders positions across buckets when one stream serves several. */
  clusterTime?: Timestamp;
}
