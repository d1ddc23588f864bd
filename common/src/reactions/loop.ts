import type { Logger } from '../logger';
import { isThrottled, throttledCounter } from '../mongo/throttling';

export interface Loop {
  readonly name: string;
  start(): Promise<void>;
  /** Stops after the running pass. */
  stop(): Promise<void>;
  /**
   * Something the loop acts on may have changed (this instance handled an event): the next pass runs
   * `everyMs` after the last one ended, not after a longer idle sleep. Cheap; call it freely.
   */
  wake(): void;
}

export interface LoopOptions {
  /**
   * The longest pause between passes while nothing is due sooner (default: `everyMs`, a fixed period).
   * A pass may return in how many ms it next wants to run; the loop then sleeps that long, but at least
   * `everyMs` and at most `idleMs`. `wake()` cuts a longer sleep back to `everyMs`.
   */
  idleMs?: number;
}

/** A pass: resolving to a number says in how many ms the next pass is wanted; anything else means `idleMs`. */
export type LoopTick = () => Promise<unknown>;

/**
 * Runs `tick` again `everyMs` after each pass (never two at once), or, with `idleMs`, when the pass asks
 * for it or `wake()` is called, and at the latest `idleMs` after the last; a failing pass is logged and
 * the next one tries again `everyMs` later.
 */
export function createLoop(
  name: string,
  everyMs: number,
  tick: LoopTick,
  logger: Logger,
  options: LoopOptions = {},
): Loop {
  const idleMs = Math.max(everyMs, options.idleMs ?? everyMs);
  let timer: NodeJS.Timeout | undefined;
  let timerAt = 0;
  let running: Promise<void> = Promise.resolve();
  let stopped = true;
  let busy = false;
  let woken = false;
  let lastEnd = 0;

  function arm(at: number): void {
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(pass, Math.max(0, at - Date.now()));
  }

  function pass(): void {
    timer = undefined;
    busy = true;
    woken = false;
    running = tick()
      .then(
        (wantedInMs) => (typeof wantedInMs === 'number' ? wantedInMs : idleMs),
        (error) => {
          // Cosmos DB throttling (16500) is load, not a fault: counted, and the next pass tries again.
          if (isThrottled(error)) {
            throttledCounter().inc({ component: name });
            logger.info({ err: error, loop: name }, 'timer pass throttled (16500); next pass retries');
          } else logger.error({ err: error, loop: name }, 'timer pass failed');
          return everyMs;
        },
      )
      .then((wantedInMs) => {
        busy = false;
        lastEnd = Date.now();
        if (stopped) return;
        const pause = woken ? everyMs : Math.min(idleMs, Math.max(everyMs, wantedInMs));
        arm(lastEnd + pause);
      });
  }

  return {
    name,
    async start() {
      if (!stopped) return;
      stopped = false;
      lastEnd = Date.now();
      arm(lastEnd + everyMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
    wake() {
      if (stopped) return;
      if (busy) {
        woken = true;
        return;
      }
      const soonest = lastEnd + everyMs;
      if (timer !== undefined && soonest < timerAt) arm(soonest);
    },
  };
}

/** `handle`, then `loop.wake()` (also when it throws): what a handled event changed is looked at next tick. */
export function wakingAfter<E, C>(
  loop: Loop,
  handle: (event: E, ctx: C) => Promise<void>,
): (event: E, ctx: C) => Promise<void> {
  return async (event, ctx) => {
    try {
      await handle(event, ctx);
    } finally {
      loop.wake();
    }
  };
}
