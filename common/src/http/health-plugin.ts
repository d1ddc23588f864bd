import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { metricsRegistry } from './metrics';

export interface ReadinessResult {
  ok: boolean;
  reason?: string;
  details?: unknown;
}

/** A readiness check resolves (ok or not) or throws; a throw counts as not ready with its message. */
export type ReadinessCheck = () => Promise<ReadinessResult> | ReadinessResult;

export interface HealthPluginOptions {
  checks: Record<string, ReadinessCheck>;
  registry?: Registry;
  /** A check slower than this counts as failed: a hung dependency must not hang the probe. */
  checkTimeoutMs?: number;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<ReadinessResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `timed out after ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /healthz` (alive), `GET /readyz` (every check passes, else 503 naming the failing ones), `GET /metrics`. */
export const healthPlugin = fp<HealthPluginOptions>(
  async (app: FastifyInstance, options) => {
    const registry = options.registry ?? metricsRegistry;
    const timeoutMs = options.checkTimeoutMs ?? 2_000;

    app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'alive' }));

    app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
      const names = Object.keys(options.checks);
      const results = await Promise.all(names.map((name) => runCheck(options.checks[name]!, timeoutMs)));
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i]]));
      const failing = names.filter((_, i) => !results[i]!.ok);
      if (failing.length === 0) return { status: 'ready', checks };
      return reply.status(503).send({
        error: 'NOT_READY',
        message: `Not ready: ${failing.map((name) => `${name} (${checks[name]?.reason ?? 'failed'})`).join(', ')}`,
        details: { checks },
      });
    });

    app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  },
  { name: 'az-shop-health' },
);
