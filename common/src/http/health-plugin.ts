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

/** What a listener serves: the internal one everything, a public one only a bare status. */
export interface HealthExposure {
  /** `/readyz` names each check and its result; off, it answers the status alone. Default true. */
  details?: boolean;
  /** `/metrics` is served. Default true. */
  metrics?: boolean;
  /** True once the service is shutting down: `/readyz` then answers 503 whatever its checks say. */
  draining?: () => boolean;
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

/**
 * `GET /healthz` (alive), `GET /readyz` (every check passes, else 503 naming the failing ones, or
 * only the status when `details` is off), and `GET /metrics` unless `metrics` is off.
 */
export const healthPlugin = fp<HealthPluginOptions & HealthExposure>(
  async (app: FastifyInstance, options) => {
    const registry = options.registry ?? metricsRegistry;
    const timeoutMs = options.checkTimeoutMs ?? 2_000;
    const details = options.details ?? true;

    app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'alive' }));

    app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
      if (options.draining?.())
        return reply.status(503).send({ error: 'NOT_READY', message: 'Not ready: shutting down' });
      const names = Object.keys(options.checks);
      const results = await Promise.all(names.map((name) => runCheck(options.checks[name]!, timeoutMs)));
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i]]));
      const failing = names.filter((_, i) => !results[i]!.ok);
      if (!details)
        // What is wrong (a database host, a processor's lag) is for the internal port only.
        return failing.length === 0
          ? { status: 'ready' }
          : reply.status(503).send({ error: 'NOT_READY', message: 'Not ready' });
      if (failing.length === 0) return { status: 'ready', checks };
      return reply.status(503).send({
        error: 'NOT_READY',
        message: `Not ready: ${failing.map((name) => `${name} (${checks[name]?.reason ?? 'failed'})`).join(', ')}`,
        details: { checks },
      });
    });

    if (options.metrics ?? true)
      app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
        return reply.type(registry.contentType).send(await registry.metrics());
      });
  },
  { name: 'az-shop-health' },
);
