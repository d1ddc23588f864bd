import type { Span } from '@opentelemetry/api';
import {
  type ChangeStream,
  type Collection,
  type Db,
  type Document,
  MongoError,
  MongoNetworkError,
  MongoServerSelectionError,
  type Timestamp,
} from 'mongodb';
import { backoffDelay, sleep } from '../backoff';
import type { Logger } from '../logger';
import { isThrottled, throttleDelay, throttledCounter } from '../mongo/throttling';
import { inDocumentSpan } from '../telemetry/spans';
import { bucketFilterStage } from './bucket-filter';
import { bucketOf } from './buckets';
import { catchUpEvent, scanDocuments } from './catch-up';
import { loadCheckpoints, saveCheckpoints } from './checkpoints';
import { ageSeconds, clusterTimeMs } from './lag';
import type { ProcessorMetrics } from './metrics';
import { parkEvent } from './parking';
import { PartitionQueue } from './partition-queue';
import { clusterTimeOfToken, compareTimestamps, isResumable, startFor } from './positions';
import { handlerSpanOptions, recordHandlerOutcome } from './spans';
import { buildWatchArgs, normalizeChange, positionOf, type StreamStart } from './stream-source';
import type { Handler, ProcessorEvent, ProcessorMode, StreamPosition } from './types';
import { Watermark, type WatermarkEntry } from './watermark';

/** Settings shared by every group of one processor (resolved defaults). */
export interface GroupSettings {
  name: string;
  db: Db;
  collection: Collection;
  mode: ProcessorMode;
  pipeline: Document[];
  catchUpFilter: Document;
  /** The event's partition key (`routing.ts`); shared by the processor's groups, so it warns once. */
  keyOf: (event: ProcessorEvent) => string;
  /** Ask for pre-images (mongo mode). */
  preImages: boolean;
  handle: Handler;
  logger: Logger;
  concurrency: number;
  maxBuffered: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  checkpointEvery: number;
  checkpointIntervalMs: number;
  /** How often a checkpoint moved only by empty batches is saved (see passEmptyBatch). */
  idleCheckpointMs: number;
  startAtOperationTime: Timestamp | undefined;
  skipCatchUp: boolean;
  maxAwaitTimeMS: number;
  /** Number of buckets when leasing, else null (one tracker for the whole stream). */
  buckets: number | null;
  /** Have the server send only the owned buckets' events (bucket-filter.ts). */
  serverBucketFilter: boolean;
  /** Whether a handler may start on this bucket now (its lease is safely held); null: no leases. */
  mayHandle: (bucket: number | null) => boolean;
  metrics: ProcessorMetrics;
}

export type GroupState = 'starting' | 'catchingUp' | 'streaming' | 'reconnecting' | 'stopped';

/** Per bucket (or `null` = everything): its low-watermark and what it needs at start. */
interface Tracker {
  bucket: number | null;
  label: string;
  epoch: number | undefined;
  watermark: Watermark<StreamPosition>;
  saved: StreamPosition | undefined;
  /** The time of `saved`'s position (ms): its cluster time, or when it was read (docs/processor.md, "Lag"). */
  savedTime: number | undefined;
  /** When `saved` was written (ms), and whether events (not only empty batches) moved it since. */
  savedAt: number;
  movedByEvents: boolean;
  /** Stream events older than this were handled before (from its checkpoint): skip them. */
  skipBefore: Timestamp | undefined;
  needsCatchUp: boolean;
  controller: AbortController;
  /** Handlers of this bucket running now, and who waits for them to end (`removeBuckets`). */
  running: number;
  idleWaiters: (() => void)[];
}

interface Item {
  event: ProcessorEvent;
  tracker: Tracker;
  entry: WatermarkEntry;
}

const HISTORY_LOST = 286;

function isHistoryLost(error: unknown): boolean {
  const e = error as { code?: number; codeName?: string; message?: string };
  return (
    e.code === HISTORY_LOST ||
    e.codeName === 'ChangeStreamHistoryLost' ||
    /history.*lost/i.test(e.message ?? '')
  );
}

/** Network and server-selection errors, and those the server labels retryable. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof MongoError)) return false;
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  return error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('TransientTransactionError');
}

/**
 * One change stream serving a set of buckets (or everything when not leasing): catch-up for those
 * without a checkpoint, dispatch to the per-key queue, retries and parking, and batched checkpoints
 * at each bucket's low-watermark. It lives until `stop()`; stream errors reconnect inside it.
 */
export class StreamGroup {
  state: GroupState = 'starting';
  lastError: string | undefined;
  private readonly trackers = new Map<number | null, Tracker>();
  private readonly queue: PartitionQueue<Item>;
  private stream: ChangeStream | undefined;
  private stopping = false;
  /** Set to reopen the stream after the last event read, with the filter of the buckets left. */
  private reopening = false;
  private readonly stopController = new AbortController();
  private running: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private finishedSinceFlush = 0;
  private catchUpPending = 0;
  private catchUpScanning = false;
  /** The running catch-up scan: the buckets it is for, and its abort (`removeBuckets` of all of them). */
  private scan: { trackers: ReadonlySet<Tracker>; controller: AbortController } | undefined;
  private readonly throttled = throttledCounter();
  private readonly log: Logger;
  private readonly startedAt = Date.now();
  /**
   * The stream has read every event up to this time (ms): the newest event read, or when a batch came
   * back empty (nothing was left to read). Older than every pending event's time while it is behind.
   */
  private reachedAt: number = this.startedAt;

  constructor(
    private readonly settings: GroupSettings,
    buckets: ReadonlyMap<number | null, number | undefined>,
  ) {
    this.log = settings.logger;
    for (const [bucket, epoch] of buckets) {
      this.trackers.set(bucket, {
        bucket,
        label: bucket === null ? 'all' : String(bucket),
        epoch,
        watermark: new Watermark<StreamPosition>(),
        saved: undefined,
        savedTime: undefined,
        savedAt: 0,
        movedByEvents: false,
        skipBefore: undefined,
        needsCatchUp: false,
        controller: new AbortController(),
        running: 0,
        idleWaiters: [],
      });
    }
    this.queue = new PartitionQueue<Item>({
      concurrency: settings.concurrency,
      maxBuffered: settings.maxBuffered,
      run: (key, item) => this.handle(key, item),
    });
  }

  get buckets(): (number | null)[] {
    return [...this.trackers.keys()];
  }

  /** The lease epoch this group handles `bucket` under (undefined: not here, or no leases). */
  epochOf(bucket: number): number | undefined {
    return this.trackers.get(bucket)?.epoch;
  }

  /**
   * Stops handling `buckets` while the group's other buckets go on: their queued events are dropped
   * (re-delivered to the next owner from the checkpoint), their running handlers finish, their final
   * checkpoint is written, and the stream is reopened after the last event read with the filter of
   * the buckets left. Nothing of the other buckets waits, is dropped or is read again.
   */
  async removeBuckets(buckets: ReadonlySet<number>): Promise<void> {
    const leaving = [...this.trackers.values()].filter(
      (tracker) => tracker.bucket !== null && buckets.has(tracker.bucket),
    );
    if (leaving.length === 0) return;
    for (const tracker of leaving) tracker.controller.abort();
    // A scan for none of the buckets left would read the collection to its end for nothing.
    const scan = this.scan;
    if (scan && [...scan.trackers].every((tracker) => leaving.includes(tracker))) scan.controller.abort();
    await Promise.all(leaving.map((tracker) => this.settled(tracker)));
    while (this.flushing) await this.flushing;
    this.flushing = this.writeCheckpoints(new Set(leaving)).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    for (const tracker of leaving) this.trackers.delete(tracker.bucket);
    if (this.settings.serverBucketFilter && !this.stopping) {
      this.reopening = true;
      await this.stream?.close().catch(() => undefined);
    }
  }

  /** Resolves once no handler of `tracker`'s bucket runs (queued ones return at once: it is aborted). */
  private async settled(tracker: Tracker): Promise<void> {
    while (tracker.running > 0) await new Promise<void>((resolve) => tracker.idleWaiters.push(resolve));
  }

  /**
   * Seconds since the oldest event this group may not have handled yet: the oldest one read and not
   * finished, or, when older, the newest position the stream is known to have read up to (the events
   * after it, unread, are at least that old). It keeps rising while a handler or the stream stalls.
   */
  lagSeconds(now: number): number {
    if (this.state === 'stopped') return 0;
    const pending = [...this.trackers.values()].map((tracker) => tracker.watermark.oldestPendingTime());
    return ageSeconds(now, [this.reachedAt, ...pending]);
  }

  /** Seconds since the position of the oldest saved checkpoint (a bucket without one: since the start). */
  checkpointAgeSeconds(now: number): number {
    if (this.state === 'stopped') return 0;
    return ageSeconds(
      now,
      [...this.trackers.values()].map((tracker) => tracker.savedTime ?? this.startedAt),
    );
  }

  /** Ready: streaming, catch-up handled, stream up. */
  get ready(): boolean {
    return this.state === 'streaming';
  }

  start(): void {
    this.flushTimer = setInterval(() => void this.flush(), this.settings.checkpointIntervalMs);
    this.running = this.run();
  }

  /** Graceful: stop reading, let running handlers finish (queued ones are re-delivered later), save. */
  async stop(): Promise<void> {
    if (this.stopping) return this.running;
    this.stopping = true;
    this.stopController.abort();
    for (const tracker of this.trackers.values()) tracker.controller.abort();
    await this.stream?.close().catch(() => undefined);
    const dropped = await this.queue.close();
    for (const item of dropped) this.settings.metrics.inFlight.dec(this.labels(item.tracker));
    await this.running;
    clearInterval(this.flushTimer);
    await this.flush();
    this.setState('stopped');
  }

  private labels(tracker: Tracker) {
    return { processor: this.settings.name, bucket: tracker.label };
  }

  private setState(state: GroupState): void {
    this.state = state;
  }

  private async run(): Promise<void> {
    let start: StreamStart | undefined;
    let attempt = 0;
    while (!this.stopping) {
      try {
        if (start === undefined) start = await this.initialStart();
        await this.follow(start, (position) => {
          // Reconnects continue after the last event read: everything before it is queued or done.
          const next = startFor([position]);
          if (next) start = next;
          attempt = 0;
        });
      } catch (error) {
        if (this.stopping) break;
        if (this.reopening) continue;
        attempt++;
        this.lastError = error instanceof Error ? error.message : String(error);
        if (isThrottled(error)) {
          // Cosmos DB out of request units: wait what it asks, then read on. Load, not an outage: the
          // state (and so readiness) stays as it was, or every pod would leave its Service under load.
          this.throttled.inc({ component: this.settings.name });
          this.log.info(
            { processor: this.settings.name, attempt },
            'change stream throttled (16500); retrying',
          );
          await sleep(throttleDelay(error, backoffDelay(attempt, 100, 5000)), this.stopController.signal);
          continue;
        }
        if (isHistoryLost(error)) {
          this.log.error(
            { err: error, processor: this.settings.name },
            'change stream history lost: the checkpoint is older than the oplog; falling back to catch-up (events in the gap are only seen as current documents)',
          );
          for (const tracker of this.trackers.values()) {
            tracker.needsCatchUp = true;
            tracker.skipBefore = undefined;
          }
          start = await this.freshStart().catch(() => undefined);
        } else {
          this.log.warn(
            { err: error, processor: this.settings.name, attempt },
            'change stream failed; reconnecting',
          );
        }
        this.setState('reconnecting');
        await sleep(backoffDelay(attempt, 100, 5000), this.stopController.signal);
      }
    }
  }

  /** From the checkpoints: where to open the stream; marks buckets without one for catch-up. */
  private async initialStart(): Promise<StreamStart> {
    const checkpoints = await loadCheckpoints(this.settings.db, this.settings.name, this.buckets);
    const known: StreamPosition[] = [];
    for (const tracker of this.trackers.values()) {
      const position = checkpoints.get(tracker.bucket);
      if (position) {
        known.push(position);
        // Cosmos checkpoints carry no time: they count from this start.
        const time = clusterTimeMs(position.clusterTime) ?? this.startedAt;
        tracker.watermark.advance(position, time);
        tracker.saved = position;
        tracker.savedTime = time;
        // The events after the checkpoint are unread until the stream reaches them.
        this.reachedAt = Math.min(this.reachedAt, time);
        tracker.skipBefore = this.trackers.size > 1 ? position.clusterTime : undefined;
      } else {
        tracker.needsCatchUp = !this.settings.skipCatchUp && !this.settings.startAtOperationTime;
      }
    }
    const resumed = startFor(known);
    if (resumed) return resumed;
    if (known.length > 0) {
      this.log.warn({ processor: this.settings.name }, 'checkpoints can not be ordered; catching up instead');
      for (const tracker of this.trackers.values()) tracker.needsCatchUp = !this.settings.skipCatchUp;
    }
    return this.freshStart();
  }

  /** A stream from now (or the configured operation time), when there is nothing to resume from. */
  private async freshStart(): Promise<StreamStart> {
    if (this.settings.startAtOperationTime)
      return { startAtOperationTime: this.settings.startAtOperationTime };
    if (this.settings.mode === 'cosmos') return {};
    // Start at the server's current operation time, so the start position has a cluster time and
    // can be ordered against other buckets' checkpoints.
    const reply = await this.settings.db.command({ ping: 1 });
    const operationTime = reply.operationTime as Timestamp | undefined;
    return operationTime ? { startAtOperationTime: operationTime } : {};
  }

  private async follow(start: StreamStart, onRead: (position: StreamPosition) => void): Promise<void> {
    this.reopening = false;
    const { pipeline, options } = buildWatchArgs({
      mode: this.settings.mode,
      pipeline: this.settings.pipeline,
      start,
      maxAwaitTimeMS: this.settings.maxAwaitTimeMS,
      preImages: this.settings.preImages,
      bucketFilter: this.bucketFilter(),
    });
    const stream = this.settings.collection.watch(pipeline, options);
    this.stream = stream;
    try {
      if (this.stopping) return;
      // Open the stream before any catch-up scan: the scan then sees every change older than the
      // stream's start, and the stream every change after it. Nothing falls in between.
      const first = await stream.tryNext();
      if (!first) this.reachedAt = Date.now();
      // Stopped meanwhile (a lease lost while the stream opened): no catch-up, so no checkpoint past it.
      if (this.stopping) return;
      // Cosmos mode opens "now" (no operation time to start at): a reconnect before the first event must
      // resume from this opening, not from a later "now", or the changes in between would be lost.
      if (this.settings.mode === 'cosmos' && !first && stream.resumeToken)
        onRead({ token: stream.resumeToken as Document });
      const catchingUp = [...this.trackers.values()].filter((tracker) => tracker.needsCatchUp);
      if (catchingUp.length > 0) {
        const origin: StreamPosition = {};
        const token = first ? ('resumeAfter' in start ? start.resumeAfter : undefined) : stream.resumeToken;
        if (token) origin.token = token as Document;
        if ('startAtOperationTime' in start) origin.clusterTime = start.startAtOperationTime as Timestamp;
        await this.catchUp(catchingUp, origin);
        if (this.stopping) return;
      }
      this.setState(this.catchUpPending > 0 ? 'catchingUp' : 'streaming');
      if (first) await this.dispatch(first, onRead);
      while (!this.stopping && !this.reopening) {
        const raw = await stream.tryNext();
        if (raw) await this.dispatch(raw, onRead);
        else {
          // Cosmos mode: reconnects resume from here (no checkpoint moves: the token has no time).
          if (this.settings.mode === 'cosmos' && stream.resumeToken)
            onRead({ token: stream.resumeToken as Document });
          this.passEmptyBatch(stream.resumeToken, onRead);
        }
      }
    } finally {
      await stream.close().catch(() => undefined);
    }
  }

  /** The server-side filter for this group's buckets, when the processor uses one. */
  private bucketFilter(): Document | undefined {
    const { buckets, serverBucketFilter } = this.settings;
    if (!serverBucketFilter || buckets === null) return undefined;
    return bucketFilterStage(
      buckets,
      this.buckets.filter((bucket): bucket is number => bucket !== null),
    );
  }

  private async catchUp(trackers: Tracker[], origin: StreamPosition): Promise<void> {
    this.setState('catchingUp');
    this.catchUpScanning = true;
    const scanStartedAt = Date.now();
    const wanted = new Set(trackers);
    const scan = { trackers: wanted, controller: new AbortController() };
    this.scan = scan;
    this.log.info({ processor: this.settings.name, buckets: trackers.map((t) => t.label) }, 'catching up');
    let count = 0;
    try {
      for await (const doc of scanDocuments(
        this.settings.collection,
        this.settings.catchUpFilter,
        1000,
        AbortSignal.any([this.stopController.signal, scan.controller.signal]),
      )) {
        const event = catchUpEvent(doc);
        const { key, tracker } = this.route(event);
        if (!tracker || !wanted.has(tracker)) continue;
        // A document's change time is unknown: the lag of catch-up counts from when it was read.
        const entry = tracker.watermark.hold(Date.now());
        this.catchUpPending++;
        count++;
        await this.enqueue(key, { event, tracker, entry });
        if (this.stopping) return;
      }
    } catch (error) {
      // Every bucket it was for has left (removeBuckets): they are not caught up, and nothing else is.
      if (scan.controller.signal.aborted && !this.stopping) {
        this.log.info(
          { processor: this.settings.name, documents: count },
          'catch-up scan stopped: its buckets left',
        );
        return;
      }
      throw error;
    } finally {
      this.catchUpScanning = false;
      this.scan = undefined;
    }
    // A scan cut short must not mark its buckets caught up: their checkpoint would skip the rest.
    if (this.stopping) return;
    // Only now may the checkpoint move past the catch-up: to the stream's start.
    for (const tracker of trackers) {
      tracker.watermark.advance(origin, clusterTimeMs(origin.clusterTime) ?? scanStartedAt);
      tracker.movedByEvents = true;
      tracker.needsCatchUp = false;
    }
    this.log.info({ processor: this.settings.name, documents: count }, 'catch-up scan done');
  }

  private route(event: ProcessorEvent): { key: string; tracker: Tracker | undefined } {
    const key = this.settings.keyOf(event);
    const bucket = this.settings.buckets === null ? null : bucketOf(key, this.settings.buckets);
    return { key, tracker: this.trackers.get(bucket) };
  }

  private async dispatch(raw: Document, onRead: (position: StreamPosition) => void): Promise<void> {
    this.settings.metrics.received.inc({ processor: this.settings.name });
    const event = normalizeChange(raw);
    const position: StreamPosition = event ? positionOf(event) : { token: raw._id as Document };
    // Cosmos mode has no cluster time (nor any other write time the API returns): when it was read.
    const time = clusterTimeMs(position.clusterTime) ?? Date.now();
    this.reachedAt = Math.max(this.reachedAt, time);
    const target = event ? this.route(event) : undefined;
    for (const tracker of this.trackers.values()) {
      if (tracker.skipBefore && position.clusterTime) {
        if (compareTimestamps(position.clusterTime, tracker.skipBefore) < 0) continue;
        tracker.skipBefore = undefined;
      }
      tracker.movedByEvents = true;
      if (event && target?.tracker === tracker) {
        const entry = tracker.watermark.add(position, time);
        await this.enqueue(target.key, { event, tracker, entry });
      } else {
        tracker.watermark.advance(position, time);
      }
    }
    onRead(position);
  }

  /**
   * After an empty batch nothing before the stream's post-batch resume token is left to read, so every
   * bucket may move up to it: a bucket without events (a quiet collection, or buckets the server filter
   * keeps away) still gets a recent checkpoint, and a restart does not resume from far back in the
   * oplog (or past its end, into a catch-up). Such moves are saved every `idleCheckpointMs`, not at
   * every flush. Mongo mode only: the position needs its cluster time.
   */
  private passEmptyBatch(token: unknown, onRead: (position: StreamPosition) => void): void {
    // Nothing was left to read when the server answered, in either mode.
    this.reachedAt = Date.now();
    if (this.settings.mode !== 'mongo' || !token) return;
    const clusterTime = clusterTimeOfToken(token);
    if (!clusterTime) return;
    const position: StreamPosition = { token: token as Document, clusterTime };
    for (const tracker of this.trackers.values()) {
      if (tracker.skipBefore) {
        if (compareTimestamps(clusterTime, tracker.skipBefore) < 0) continue;
        tracker.skipBefore = undefined;
      }
      tracker.watermark.advance(position, clusterTimeMs(clusterTime));
    }
    onRead(position);
  }

  private async enqueue(key: string, item: Item): Promise<void> {
    this.settings.metrics.inFlight.inc(this.labels(item.tracker));
    await this.queue.push(key, item);
  }

  /**
   * One CONSUMER span per handled event, continuing the trace of the write that caused it (the
   * document's `traceparent`); retries, parking and a lost lease are events on it.
   */
  private handle(key: string, item: Item): Promise<void> {
    const { event, tracker } = item;
    const { name, collection } = this.settings;
    const options = handlerSpanOptions(name, collection.collectionName, key, event, tracker.bucket);
    const cause = event.fullDocument ?? event.fullDocumentBeforeChange;
    tracker.running++;
    return inDocumentSpan(`${name} process`, cause, options, (span) =>
      this.handleAttempts(key, item, span),
    ).finally(() => {
      if (--tracker.running > 0) return;
      for (const resolve of tracker.idleWaiters.splice(0)) resolve();
    });
  }

  private async handleAttempts(key: string, item: Item, span: Span): Promise<void> {
    const { settings } = this;
    const { event, tracker } = item;
    const signal = tracker.controller.signal;
    let attempt = 0;
    let transientRetries = 0;
    for (;;) {
      // A lease about to end stops the bucket's handling here: its later events must not run either.
      if (!signal.aborted && !settings.mayHandle(tracker.bucket)) tracker.controller.abort();
      if (signal.aborted) {
        // Stopped or lease lost: leave it unfinished (the watermark holds), it will be re-delivered.
        recordHandlerOutcome(span, this.stopping ? 'stopped' : 'lease lost', { attempt });
        settings.metrics.inFlight.dec(this.labels(tracker));
        this.catchUpItemDone(item);
        return;
      }
      attempt++;
      try {
        await settings.handle(event, {
          processor: settings.name,
          partitionKey: key,
          bucket: tracker.bucket ?? -1,
          attempt,
          signal,
          logger: this.log,
        });
        settings.metrics.handled.inc({ processor: settings.name });
        break;
      } catch (error) {
        settings.metrics.errors.inc({ processor: settings.name });
        // The database being unreachable (or Cosmos DB throttling) says nothing about the event: retry
        // without using up its attempts, or an outage would park every event in flight.
        const throttled = isThrottled(error);
        if (throttled) this.throttled.inc({ component: settings.name });
        const transient = throttled || isTransient(error);
        if (transient) {
          attempt--;
          transientRetries++;
        } else if (attempt >= settings.maxAttempts) {
          if (await this.park(key, item, error, attempt)) {
            recordHandlerOutcome(span, 'parked', { attempt, error });
            break;
          }
          recordHandlerOutcome(span, 'stopped', { attempt });
          settings.metrics.inFlight.dec(this.labels(tracker));
          return; // Stopped while the database was unreachable: not parked, so not finished.
        }
        // Throttling is expected under load (metric mongo_throttled_total): not a warning each time.
        this.log[throttled ? 'info' : 'warn'](
          { err: error, processor: settings.name, key, attempt, transient, throttled },
          'handler failed; retrying',
        );
        recordHandlerOutcome(span, 'retry', { attempt, error, transient });
        let delay = transient
          ? backoffDelay(transientRetries, 100, 5000)
          : backoffDelay(attempt, settings.retryBaseMs, settings.retryMaxMs);
        if (throttled) delay = throttleDelay(error, delay);
        await sleep(delay, signal);
      }
    }
    this.finish(item);
  }

  /** Parks the event; keeps trying while the database is unreachable (the partition waits meanwhile). */
  private async park(key: string, item: Item, error: unknown, attempts: number): Promise<boolean> {
    const { settings } = this;
    this.log.error(
      { err: error, processor: settings.name, key, attempts },
      'handler keeps failing; parking the event',
    );
    for (let attempt = 1; ; attempt++) {
      try {
        await parkEvent(settings.db, {
          processor: settings.name,
          partitionKey: key,
          bucket: item.tracker.bucket ?? -1,
          event: item.event,
          error,
          attempts,
        });
        settings.metrics.parked.inc({ processor: settings.name });
        return true;
      } catch (parkError) {
        if (item.tracker.controller.signal.aborted) return false;
        this.log.warn({ err: parkError, processor: settings.name }, 'could not park the event; retrying');
        await sleep(backoffDelay(attempt, 100, 5000), item.tracker.controller.signal);
      }
    }
  }

  private finish(item: Item): void {
    item.tracker.watermark.complete(item.entry);
    item.tracker.movedByEvents = true;
    this.settings.metrics.inFlight.dec(this.labels(item.tracker));
    this.catchUpItemDone(item);
    if (++this.finishedSinceFlush >= this.settings.checkpointEvery) void this.flush();
  }

  /**
   * A catch-up event is done with: handled, or dropped because its bucket left (then it never will
   * be handled here, and must not keep the group `catchingUp`, not ready, for good).
   */
  private catchUpItemDone(item: Item): void {
    if (item.event.source !== 'catch-up') return;
    this.catchUpPending--;
    if (this.catchUpPending === 0 && !this.catchUpScanning && this.state === 'catchingUp') {
      this.setState('streaming');
    }
  }

  /** Saves every bucket's low-watermark that moved; one write at a time, batched in one round trip. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.finishedSinceFlush = 0;
    this.flushing = this.writeCheckpoints().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** `final`: buckets leaving the group, saved whatever their state (the epoch still fences them). */
  private async writeCheckpoints(final?: ReadonlySet<Tracker>): Promise<void> {
    const now = Date.now();
    const changed: Tracker[] = [];
    const positions: StreamPosition[] = [];
    const times: (number | undefined)[] = [];
    for (const tracker of final ?? this.trackers.values()) {
      const last = this.stopping || final !== undefined;
      // Not caught up yet: any position it holds (moved by other buckets' events) would skip the scan.
      if (tracker.needsCatchUp) continue;
      const position = tracker.watermark.checkpoint();
      if (!isResumable(position) || position === tracker.saved) continue;
      // Moved only by empty batches: saved now and then, not every interval. Each save is itself a
      // write that moves every stream's post-batch token, so saving each one would never go quiet.
      if (!tracker.movedByEvents && !last && now - tracker.savedAt < this.settings.idleCheckpointMs) continue;
      // A lost lease must not write: the new owner's checkpoint wins (the epoch also fences it).
      if (tracker.controller.signal.aborted && !last) continue;
      changed.push(tracker);
      positions.push(position);
      times.push(tracker.watermark.checkpointTime());
    }
    if (changed.length === 0) return;
    try {
      const fenced = await saveCheckpoints(
        this.settings.db,
        this.settings.name,
        changed.map((tracker, i) => {
          const write: { bucket: number | null; position: StreamPosition; epoch?: number } = {
            bucket: tracker.bucket,
            position: positions[i]!,
          };
          if (tracker.epoch !== undefined) write.epoch = tracker.epoch;
          return write;
        }),
      );
      changed.forEach((tracker, i) => {
        tracker.saved = positions[i];
        tracker.savedTime = times[i] ?? now;
        tracker.savedAt = now;
        tracker.movedByEvents = false;
      });
      if (fenced.length > 0) {
        this.log.warn(
          { processor: this.settings.name, buckets: fenced },
          'checkpoint fenced: another instance owns it now',
        );
      }
    } catch (error) {
      this.log.warn({ err: error, processor: this.settings.name }, 'checkpoint write failed; will retry');
    }
  }
}
