import { collectDefaultMetrics, Registry } from 'prom-client';

/** The process-wide Prometheus registry: `/metrics` serves it, processors register their metrics in it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
