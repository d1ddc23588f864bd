import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { backoffDelay, sleep } from '../backoff';
import { isThrottled, throttleDelay, throttledCounter } from '../mongo/throttling';

export interface ThrottleRetryOptions {
  /** Runs of a handler in all, the first included (default 4). */
  maxAttempts?: number;
  /** No new run starts once this long has passed since the first (default 2 s): a shopper is waiting. */
  budgetMs?: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Runs `run` again after each throttled refusal, until it answers, something else fails or the budget is spent. */
async function runAgain(
  run: () => unknown,
  reply: FastifyReply,
  error: unknown,
  limits: { maxAttempts: number; budgetMs: number; startedAt: number },
): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const spent = attempt >= limits.maxAttempts || Date.now() - limits.startedAt >= limits.budgetMs;
    if (!isThrottled(error) || reply.sent || spent) throw error;
    throttledCounter().inc({ component: 'http' });
    await sleep(throttleDelay(error, backoffDelay(attempt, 50, 1000)));
    try {
      return await run();
    } catch (next) {
      error = next;
    }
  }
}

/**
 * Cosmos DB answers 16500 when a request goes past the provisioned RU/s, and then "no changes were
 * made". A read has nothing to undo, so the handler of a safe method (GET, HEAD) runs again, after what
 * the server asks, while it is throttled and nothing has been sent yet, within a small budget. A write
 * is not run again here (it may have written before the throttled command): it, like a read past the
 * budget, answers 503 with `Retry-After` (toErrorResponse), and the client decides.
 * Only routes registered after this plugin are wrapped (health and metrics come before it). The retry
 * loop lives outside the wrapper, so a request that is not throttled pays little more than a `.catch`.
 */
export const throttleRetryPlugin = fp<ThrottleRetryOptions>(
  async (app: FastifyInstance, options) => {
    const maxAttempts = options.maxAttempts ?? 4;
    const budgetMs = options.budgetMs ?? 2000;
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!methods.every((method) => SAFE_METHODS.has(method))) return;
      const handler = route.handler;
      route.handler = function retryingThrottled(this: FastifyInstance, request, reply) {
        const first = handler.call(this, request, reply);
        // A handler that answers synchronously (or streams on its own) keeps its own contract.
        if (!(first instanceof Promise)) return first;
        const startedAt = Date.now();
        return first.catch((error: unknown) =>
          runAgain(() => handler.call(this, request, reply), reply, error, {
            maxAttempts,
            budgetMs,
            startedAt,
          }),
        );
      };
    });
  },
  { name: 'az-shop-throttle-retry' },
);
