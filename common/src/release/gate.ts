import type { Db } from 'mongodb';
import type { ReadinessCheck } from '../http/health-plugin';
import type { Logger } from '../logger';
import type { ProcessorMode } from '../processor/types';
import type { ReactionOptions, ServiceReactions } from '../reactions/service-reactions';
import { type ReleaseColour, readActiveColour } from './control';

export interface ColourGateOptions {
  db: Db;
  logger: Logger;
  /** This instance's colour; without one, there is no gate (a laptop, a single-colour deployment). */
  colour: ReleaseColour | undefined;
  /** Builds a fresh, unstarted set of reactions each time this colour becomes active. */
  build: () => ServiceReactions;
  /** How often the active colour is read; a hand-over waits about this long plus a lease round. */
  pollMs?: number;
}

/**
 * Runs a service's processors and timer loops only while its colour is the active one: a new
 * colour's pods start in standby (no membership, no leases, no timers), and take over when the
 * hand-over names them; the old colour's stop, which writes final checkpoints and releases every
 * lease, so the new colour takes the buckets at its next lease round, resuming from those checkpoints.
 */
export function colourGatedReactions(options: ColourGateOptions): ServiceReactions {
  const { colour, logger, db } = options;
  if (!colour) return options.build();
  const pollMs = options.pollMs ?? 2_000;
  let current = options.build();
  let running = false;
  let everStarted = false;
  let stopped = false;
  let activeColour: ReleaseColour | null = null;
  let lastReadError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let following: Promise<void> = Promise.resolve();

  async function follow(): Promise<void> {
    try {
      activeColour = await readActiveColour(db);
      lastReadError = undefined;
    } catch (error) {
      // Unknown is not a reason to stop: a colour that is running keeps running until told otherwise.
      lastReadError = error instanceof Error ? error.message : String(error);
      logger.warn({ err: error, colour }, 'could not read the active release colour');
      return;
    }
    const shouldRun = activeColour === colour && !stopped;
    if (shouldRun && !running) {
      // Processors start once: a colour that comes back gets fresh ones (checkpoints carry the state).
      if (everStarted) current = options.build();
      logger.info({ colour }, 'this colour is active: starting processors');
      running = true;
      everStarted = true;
      try {
        await current.start();
      } catch (error) {
        logger.error({ err: error, colour }, 'processors failed to start; retrying at the next poll');
        running = false;
        await current.stop().catch(() => undefined);
      }
    } else if (!shouldRun && running) {
      logger.info({ colour, activeColour }, 'another colour is active: stopping processors');
      running = false;
      await current.stop();
    }
  }

  /** One follow round; never rejects, so the chain of rounds keeps going. */
  function step(): Promise<void> {
    return follow().catch((error) =>
      logger.error({ err: error, colour }, 'following the release colour failed'),
    );
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      following = following.then(step).finally(schedule);
    }, pollMs);
  }

  function standbyCheck(name: string): ReadinessCheck {
    return () => {
      if (running) {
        const check = current.checks()[name];
        if (check) return check();
      }
      // Standby is ready: the pod is healthy and waits for its turn.
      const details = { state: 'standby', colour, activeColour, ...(lastReadError ? { lastReadError } : {}) };
      return { ok: true, details };
    };
  }

  return {
    get processors() {
      return current.processors;
    },
    get loops() {
      return current.loops;
    },
    checks: () =>
      Object.fromEntries(
        current.processors.map((processor) => [processor.name, standbyCheck(processor.name)]),
      ),
    async start() {
      following = following.then(step);
      await following;
      if (!running) logger.info({ colour, activeColour }, 'standing by: another colour runs the processors');
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await following;
      if (running) {
        running = false;
        await current.stop();
      }
    },
  };
}

/** The settings of base-config.ts that decide how a service's processors run. */
export interface ReactionSettings {
  PROCESSOR_BUCKETS: number;
  PROCESSOR_MAX_LAG_SECONDS: number;
  RELEASE_COLOUR?: ReleaseColour | undefined;
}

/**
 * A service's reactions as its composition root starts them, the same way in every service: the
 * options come from the shared settings and the resolved Mongo flavour, and the set runs only while
 * the service's release colour is active (no colour: always).
 */
export function serviceReactionsFromSettings(
  deps: { db: Db; logger: Logger; settings: ReactionSettings; mode: ProcessorMode },
  register: (options: ReactionOptions) => ServiceReactions,
): ServiceReactions {
  const colour = deps.settings.RELEASE_COLOUR;
  const options: ReactionOptions = {
    leases: { buckets: deps.settings.PROCESSOR_BUCKETS, ...(colour ? { colour } : {}) },
    maxLagSeconds: deps.settings.PROCESSOR_MAX_LAG_SECONDS,
    mode: deps.mode,
  };
  return colourGatedReactions({ db: deps.db, logger: deps.logger, colour, build: () => register(options) });
}
