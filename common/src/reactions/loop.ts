import type { Logger } from '../logger';
import { isThrottled, throttledCounter } from '../mongo/throttling';

export interface Loop {
  readonly name: string;
  start(): Promise<void>;
  /** Stops after the running pass. */
  stop(): Promise<void>;
}

/** Runs `tick` every `everyMs` (never two at once); a failing pass is logged and the next one tries again. */
export function createLoop(name: string, everyMs: number, tick: () => Promise<void>, logger: Logger): Loop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = true;

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((error) => {
          // Cosmos DB throttling (16500) is load, not a fault: counted, and the next pass tries again.
          if (isThrottled(error)) {
            throttledCounter().inc({ component: name });
            logger.info({ err: error, loop: name }, 'timer pass throttled (16500); next pass retries');
          } else logger.error({ err: error, loop: name }, 'timer pass failed');
        })
        .finally(schedule);
    }, everyMs);
  }

  return {
    name,
    async start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
