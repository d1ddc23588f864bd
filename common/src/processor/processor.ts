import type { Document } from 'mongodb';
import type { ReadinessCheck } from '../http/health-plugin';
import { retryThrottled } from '../mongo/throttling';
import { catchUpFilterFrom } from './catch-up-filter';
import { lagOverThreshold } from './lag';
import { LeaseKeeper } from './leases';
import { ProcessorState, processorMetrics } from './metrics';
import {
  claimReplayRequest,
  countParked,
  ensureParkedIndexes,
  releaseStaleReplays,
  replayParked,
} from './parking';
import { claimParkedRequest } from './requests';
import { createKeyRouter } from './routing';
import { type GroupSettings, StreamGroup } from './stream-group';
import type { ProcessorOptions } from './types';

export interface ProcessorStatus {
  name: string;
  state: 'stopped' | 'starting' | 'catchingUp' | 'streaming' | 'reconnecting' | 'idle';
  /** The streams' shape: mongo, or Cosmos DB's (MONGO_FLAVOUR). */
  mode: 'mongo' | 'cosmos';
  /** Buckets handled by this instance (null = all, no leasing). */
  buckets: (number | null)[];
  owner?: string;
  lastError?: string;
  /** `processor_lag_seconds` now (docs/processor.md, "Lag"); 0 while no group runs. */
  lagSeconds: number;
  checkpointAgeSeconds: number;
}

export interface Processor {
  readonly name: string;
  start(): Promise<void>;
  /** Stops pulling, lets running handlers finish, writes the final checkpoints, releases leases. */
  stop(): Promise<void>;
  /** Not ready while catching up, while the stream is down, or while lagging over `maxLagSeconds`. */
  readiness(): ReadinessCheck;
  status(): ProcessorStatus;
}

const defaultPartitionKey = (doc: Document) => doc.partition_key;

/** Streams one mongo-mode processor instance keeps at most before merging them (each hand-over in adds one). */
const MAX_STREAMS = 4;

/**
 * A change-stream processor: `handle` is called for every change of `collection` (and, on first
 * start, every existing document), one at a time per partition key, concurrently across keys, with
 * durable checkpoints, retries, parking, and optional scale-out by leased buckets. See docs/processor.md.
 */
/** The caller's catch-up filter, or the one the pipeline implies; refuses to guess. */
function catchUpFilterOf(
  options: Pick<
    ProcessorOptions,
    'name' | 'pipeline' | 'catchUpFilter' | 'skipCatchUp' | 'startAtOperationTime'
  >,
): Document {
  if (options.catchUpFilter) return options.catchUpFilter;
  const derived = catchUpFilterFrom(options.pipeline ?? []);
  if (derived) return derived;
  if (options.skipCatchUp || options.startAtOperationTime) return {};
  throw new Error(
    `${options.name}: its pipeline filters on more than the document, so catch-up cannot apply it; pass catchUpFilter`,
  );
}

export function createProcessor<TDoc extends Document = Document>(
  options: ProcessorOptions<TDoc>,
): Processor {
  const mode = options.mode ?? 'mongo';
  const leaseOptions = options.leases === true ? {} : options.leases || undefined;
  const buckets = leaseOptions ? (leaseOptions.buckets ?? 16) : null;
  if (mode === 'cosmos' && options.preImages) {
    throw new Error('cosmos mode has no change-stream pre-images: leave preImages unset');
  }
  // On by default in mongo mode: routing by the pre-image is what keeps a delete in its document's partition.
  const preImages = mode === 'mongo' && (options.preImages ?? true);
  const metrics = processorMetrics();
  const logger = options.logger.child({ processor: options.name });
  const partitionKey =
    (options.partitionKey as ((doc: Document) => unknown) | undefined) ?? defaultPartitionKey;
  let keeper: LeaseKeeper | undefined;
  const settings: GroupSettings = {
    name: options.name,
    db: options.db,
    collection: options.db.collection(options.collection),
    mode,
    pipeline: options.pipeline ?? [],
    catchUpFilter: catchUpFilterOf(options),
    keyOf: createKeyRouter({ partitionKey, logger, preImages, mode }),
    preImages,
    handle: options.handle as GroupSettings['handle'],
    logger,
    concurrency: options.concurrency ?? 16,
    maxBuffered: options.maxBuffered ?? 1000,
    maxAttempts: options.maxAttempts ?? 5,
    retryBaseMs: options.retryBaseMs ?? 100,
    retryMaxMs: options.retryMaxMs ?? 10_000,
    checkpointEvery: options.checkpointEvery ?? 200,
    checkpointIntervalMs: options.checkpointIntervalMs ?? 1000,
    idleCheckpointMs: options.idleCheckpointMs ?? 60_000,
    startAtOperationTime: options.startAtOperationTime,
    skipCatchUp: options.skipCatchUp ?? false,
    maxAwaitTimeMS: options.maxAwaitTimeMS ?? 1000,
    buckets,
    // The server can compute the default key's bucket; a custom key function only runs here.
    serverBucketFilter:
      mode === 'mongo' && buckets !== null && !options.partitionKey && (options.serverBucketFilter ?? true),
    metrics,
    mayHandle: (bucket) => bucket === null || keeper?.mayHandle(bucket) === true,
  };
  if (mode === 'cosmos' && options.startAtOperationTime) {
    throw new Error('cosmos mode does not support startAtOperationTime');
  }

  const groups = new Map<string, StreamGroup>();
  let started = false;
  let stopping = false;
  let reconciling: Promise<void> = Promise.resolve();
  let wanted: ReadonlyMap<number, number> | undefined;
  let replayTimer: NodeJS.Timeout | undefined;
  let parkedTimer: NodeJS.Timeout | undefined;
  const labels = { processor: options.name };

  let nextGroup = 0;

  function startGroup(buckets: ReadonlyMap<number, number>): void {
    const group = new StreamGroup(settings, buckets);
    groups.set(`g${++nextGroup}`, group);
    group.start();
  }

  /**
   * Cosmos resume tokens can not be ordered across buckets, so there each bucket has its own stream,
   * started and stopped with its lease.
   */
  async function reconcilePerBucket(active: ReadonlyMap<number, number>): Promise<void> {
    const obsolete = [...groups].filter(([, group]) => {
      const [bucket] = group.buckets as [number];
      return active.get(bucket) !== group.epochOf(bucket);
    });
    await Promise.all(obsolete.map(([, group]) => group.stop()));
    for (const [key] of obsolete) groups.delete(key);
    const running = new Set([...groups.values()].flatMap((group) => group.buckets));
    for (const [bucket, epoch] of active) if (!running.has(bucket)) startGroup(new Map([[bucket, epoch]]));
  }

  /**
   * Mongo mode: a hand-over touches only the buckets that move. Buckets that leave are taken out of
   * the stream handling them, which goes on for the others; buckets that arrive get a stream of their
   * own, so catching up from their checkpoint never holds back the buckets already here. Beyond
   * MAX_STREAMS streams (many hand-overs in a row) they are merged back into one, a restart.
   */
  async function reconcileShared(active: ReadonlyMap<number, number>): Promise<void> {
    await Promise.all(
      [...groups].map(async ([key, group]) => {
        const leaving = group.buckets.filter(
          (bucket): bucket is number => bucket !== null && active.get(bucket) !== group.epochOf(bucket),
        );
        if (leaving.length === group.buckets.length) {
          await group.stop();
          groups.delete(key);
        } else if (leaving.length > 0) await group.removeBuckets(new Set(leaving));
      }),
    );
    const running = new Set([...groups.values()].flatMap((group) => group.buckets));
    const arriving = new Map([...active].filter(([bucket]) => !running.has(bucket)));
    if (arriving.size === 0) return;
    if (groups.size + 1 > MAX_STREAMS) {
      await Promise.all([...groups.values()].map((group) => group.stop()));
      groups.clear();
      startGroup(active);
    } else startGroup(arriving);
  }

  /** Brings the running groups in line with the latest wanted bucket set (serialized). */
  function reconcile(): Promise<void> {
    reconciling = reconciling.then(async () => {
      if (!wanted || !keeper) return;
      const active = stopping ? new Map<number, number>() : wanted;
      await (mode === 'cosmos' ? reconcilePerBucket(active) : reconcileShared(active));
      const handled = new Set<number>();
      for (const group of groups.values())
        for (const bucket of group.buckets) if (bucket !== null) handled.add(bucket);
      metrics.ownedBuckets.set({ processor: options.name }, handled.size);
      await keeper.confirmStopped(handled);
    });
    return reconciling;
  }

  /** Replays marked by the CLI (`replay-requested`), then the back office's requests (web-owned). */
  async function pollReplays(): Promise<void> {
    const released = await releaseStaleReplays(options.db, options.name);
    if (released > 0)
      logger.warn({ released }, 'parked events left replaying by a dead instance are parked again');
    for (;;) {
      if (stopping) return;
      const parked = await claimReplayRequest(options.db, options.name);
      if (!parked) break;
      const result = await replayParked(options.db, parked._id, settings.handle, { logger });
      logger.info({ id: parked._id.toHexString(), ok: result.ok }, 'replayed a parked event');
    }
    for (;;) {
      if (stopping) return;
      const claimed = await claimParkedRequest(options.db, options.name);
      if (!claimed) return;
      const { request, parked } = claimed;
      const log = { id: parked._id.toHexString(), request: request._id, by: request.requestedBy.sub };
      if (request.action === 'discard') {
        logger.info(log, 'discarded a parked event on request');
        continue;
      }
      const result = await replayParked(options.db, parked._id, settings.handle, { logger });
      logger.info({ ...log, ok: result.ok }, 'replayed a parked event on request');
    }
  }

  function scheduleReplays(): void {
    const every = options.replayPollMs ?? 5000;
    if (every <= 0 || stopping) return;
    replayTimer = setTimeout(() => {
      pollReplays()
        .catch((error) => logger.warn({ err: error }, 'parked replay poll failed'))
        .finally(scheduleReplays);
    }, every);
  }

  /** The parked backlog, counted now and then: a count is one cheap query, not a stream of events. */
  function sampleParked(): void {
    countParked(options.db, options.name)
      .then((count) => metrics.parkedBacklog.set(labels, count))
      .catch((error) => logger.warn({ err: error }, 'counting parked events failed'));
  }

  function status(): ProcessorStatus {
    const list = [...groups.values()];
    const now = Date.now();
    const bucketsHandled = list.flatMap((group) => group.buckets);
    let state: ProcessorStatus['state'];
    if (!started || stopping) state = 'stopped';
    else if (list.length === 0) state = keeper ? 'idle' : 'starting';
    else if (list.some((g) => g.state === 'reconnecting')) state = 'reconnecting';
    else if (list.some((g) => g.state === 'catchingUp')) state = 'catchingUp';
    else if (list.some((g) => g.state === 'starting')) state = 'starting';
    else state = 'streaming';
    const result: ProcessorStatus = {
      name: options.name,
      state,
      mode,
      buckets: bucketsHandled,
      lagSeconds: Math.max(0, ...list.map((group) => group.lagSeconds(now))),
      checkpointAgeSeconds: Math.max(0, ...list.map((group) => group.checkpointAgeSeconds(now))),
    };
    if (keeper) result.owner = keeper.owner;
    const lastError = keeper?.refusedBecause() ?? list.find((g) => g.lastError)?.lastError;
    if (lastError) result.lastError = lastError;
    return result;
  }

  // Sampled, not set per event: a stalled processor handles nothing, and its lag must still rise.
  const stateCollector = setInterval(() => {
    const current = status();
    metrics.state.set(labels, ProcessorState[current.state === 'starting' ? 'reconnecting' : current.state]);
    metrics.lag.set(labels, current.lagSeconds);
    metrics.checkpointAge.set(labels, current.checkpointAgeSeconds);
  }, 1000);
  stateCollector.unref();

  return {
    name: options.name,
    async start() {
      if (started) return;
      started = true;
      logger.info({ mode, buckets, collection: options.collection, preImages }, 'processor starting');
      // The backlog count and the replay poll read by it. Not awaited: a start never waited on the
      // database without leases, and a missing index only makes those reads slower.
      retryThrottled(options.name, () => ensureParkedIndexes(options.db)).catch((error) =>
        logger.warn({ err: error }, 'creating the parked_events index failed'),
      );
      if (buckets === null) {
        const group = new StreamGroup(settings, new Map([[null, undefined]]));
        groups.set('all', group);
        group.start();
      } else {
        const lease = leaseOptions ?? {};
        keeper = new LeaseKeeper({
          db: options.db,
          processor: options.name,
          buckets,
          ttlMs: lease.ttlMs ?? 15_000,
          logger,
          ...(lease.owner ? { owner: lease.owner } : {}),
          ...(lease.colour ? { colour: lease.colour } : {}),
          onChange: (active) => {
            wanted = active;
            void reconcile();
          },
        });
        await keeper.start();
      }
      scheduleReplays();
      sampleParked();
      parkedTimer = setInterval(sampleParked, options.parkedSampleMs ?? 10_000);
      parkedTimer.unref();
    },
    async stop() {
      clearInterval(stateCollector);
      if (!started || stopping) return;
      stopping = true;
      clearTimeout(replayTimer);
      clearInterval(parkedTimer);
      await reconcile();
      await Promise.all([...groups.values()].map((group) => group.stop()));
      groups.clear();
      await keeper?.stop();
      metrics.state.set(labels, ProcessorState.stopped);
      metrics.lag.set(labels, 0);
      metrics.checkpointAge.set(labels, 0);
      logger.info('processor stopped');
    },
    readiness(): ReadinessCheck {
      return () => {
        const current = status();
        const running =
          (current.state === 'streaming' || current.state === 'idle') && !keeper?.refusedBecause();
        const lagging = lagOverThreshold(current.lagSeconds, options.maxLagSeconds);
        const result: { ok: boolean; reason?: string; details?: unknown } = {
          ok: running && !lagging,
          details: current,
        };
        if (!running) result.reason = `processor ${options.name} is ${current.state}`;
        else if (lagging)
          result.reason = `processor ${options.name} lags ${current.lagSeconds.toFixed(1)} s (over ${options.maxLagSeconds} s)`;
        return result;
      };
    },
    status,
  };
}
