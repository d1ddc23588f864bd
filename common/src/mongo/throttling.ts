import { Counter, type Registry } from 'prom-client';
import { backoffDelay, sleep } from '../backoff';
import { getOrCreate, metricsRegistry } from '../http/metrics';

/** Cosmos DB's request-rate throttling code ("Request rate is large", HTTP 429 underneath). */
export const TOO_MANY_REQUESTS = 16500;

/** Whether a driver error is Cosmos DB throttling (code 16500, or its message when wrapped). */
export function isThrottled(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === TOO_MANY_REQUESTS) return true;
  return (
    typeof e.message === 'string' && /Error=16500|TooManyRequests|Request rate is large/i.test(e.message)
  );
}

/** The wait Cosmos DB asks for (`RetryAfterMs=…` in the message), if it names one. */
export function retryAfterMs(error: unknown): number | undefined {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') return undefined;
  const match = /RetryAfterMs=(\d+)/i.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** How long to wait before retrying a throttled request: what the server asked, never less than `floorMs`. */
export function throttleDelay(error: unknown, floorMs: number): number {
  return Math.max(retryAfterMs(error) ?? 0, floorMs);
}

/** `mongo_throttled_total{component}`: 16500 answers seen, by what retried them (processor name, loop). */
export function throttledCounter(registry: Registry = metricsRegistry): Counter<'component'> {
  const name = 'mongo_throttled_total';
  return getOrCreate(
    registry,
    name,
    () =>
      new Counter({
        name,
        help: 'Requests Cosmos DB refused with 16500 TooManyRequests (request rate too large), retried after a back-off',
        labelNames: ['component'],
        registers: [registry],
      }),
  );
}

/**
 * Runs `fn`, retrying while Cosmos DB throttles it (waiting what it asks, backing off up to 5 s), and
 * counting each refusal under `component`. Any other error is thrown at once. With `withinMs`, a
 * refusal whose wait would end past that time since the first try is thrown, not counted: the caller
 * (a handler's own retry) counts it and retries with its own checks.
 */
export async function retryThrottled<T>(
  component: string,
  fn: () => Promise<T>,
  { withinMs }: { withinMs?: number } = {},
): Promise<T> {
  const counter = throttledCounter();
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isThrottled(error)) throw error;
      const delay = throttleDelay(error, backoffDelay(attempt, 50, 5000));
      if (withinMs !== undefined && Date.now() + delay - started > withinMs) throw error;
      counter.inc({ component });
      await sleep(delay);
    }
  }
}
