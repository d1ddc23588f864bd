import type { Logger } from './logger';
import { flushTelemetry } from './telemetry/flush';

type Closer = () => Promise<unknown> | unknown;

/**
 * Runs the registered closers in reverse order of registration (HTTP first, then processors, then
 * the database) on SIGTERM/SIGINT, once, then exits. A second signal exits at once.
 */
export function createShutdown(logger: Logger, timeoutMs = 10_000) {
  const closers: { name: string; close: Closer }[] = [];
  let shuttingDown = false;

  async function shutdown(reason: string): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    let failed = false;
    for (const { name, close } of [...closers].reverse()) {
      try {
        await close();
      } catch (error) {
        failed = true;
        logger.error({ err: error, name }, 'error while closing');
      }
    }
    await flushTelemetry().catch((error) => logger.warn({ err: error }, 'could not export the last spans'));
    logger.info('stopped');
    logger.flush?.();
    process.exit(failed ? 1 : 0);
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (shuttingDown) process.exit(1);
      void shutdown(signal);
    });
  }

  return {
    add(name: string, close: Closer): void {
      closers.push({ name, close });
    },
    shutdown,
  };
}

export type Shutdown = ReturnType<typeof createShutdown>;
