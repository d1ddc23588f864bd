import { collectDefaultMetrics, Registry } from 'prom-client';

/** The process-wide Prometheus registry: `/metrics` serves it, processors register their metrics in it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/**
 * A metric by name, created on first use: prom-client throws on a second registration, and several
 * processors, loops (and tests) share one registry.
 */
export function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
