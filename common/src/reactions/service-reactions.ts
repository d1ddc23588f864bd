import type { Db } from 'mongodb';
import type { ReadinessCheck } from '../http';
import type { Logger } from '../logger';
import { retryThrottled } from '../mongo/throttling';
import type { LeaseOptions, Processor, ProcessorMode } from '../processor';
import type { Loop } from './loop';

/** Everything a service reacts to (change-stream processors and durable-timer loops), started and stopped as one. */
export interface ServiceReactions {
  processors: Processor[];
  loops: Loop[];
  /** Runs `prepare` (e.g. creates indexes), then starts every processor and loop. */
  start(): Promise<void>;
  /** One readiness check per processor (not ready while catching up or reconnecting), for `createServiceApp`. */
  checks(): Record<string, ReadinessCheck>;
  /** Stops loops and processors (in-flight handlers finish, checkpoints are written). */
  stop(): Promise<void>;
}

export function createServiceReactions(parts: {
  processors: Processor[];
  loops: Loop[];
  prepare?: () => Promise<void>;
}): ServiceReactions {
  const { processors, loops } = parts;
  return {
    processors,
    loops,
    checks: () => Object.fromEntries(processors.map((processor) => [processor.name, processor.readiness()])),
    async start() {
      // Indexes first; Cosmos DB may throttle even those (16500): wait and retry rather than fail the start.
      if (parts.prepare) await retryThrottled('prepare', parts.prepare);
      // Together: each takes its leases at once (a colour taking over leaves no bucket waiting on another's start).
      await Promise.all(processors.map((processor) => processor.start()));
      for (const loop of loops) await loop.start();
    },
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
      await Promise.all(processors.map((processor) => processor.stop()));
    },
  };
}

/** How a service's processors run: the same two knobs for every service. */
export interface ReactionOptions {
  /** Share the work with other instances of the service through leases (default true; options tune the TTL). */
  leases?: boolean | LeaseOptions;
  /** Handlers running at once per processor (default 16). */
  concurrency?: number;
  /** Readiness fails while a processor lags more than this many seconds; 0 or absent: never. */
  maxLagSeconds?: number;
  /** The server's flavour (MONGO_FLAVOUR, resolved): every processor opens its streams in that mode. Default mongo. */
  mode?: ProcessorMode;
}

/** The settings every processor of a service shares, from its connections and `ReactionOptions`. */
export function processorDefaults(deps: { db: Db; logger: Logger }, options: ReactionOptions = {}) {
  return {
    db: deps.db,
    logger: deps.logger,
    leases: options.leases ?? true,
    concurrency: options.concurrency ?? 16,
    ...(options.maxLagSeconds ? { maxLagSeconds: options.maxLagSeconds } : {}),
    mode: options.mode ?? 'mongo',
  };
}
