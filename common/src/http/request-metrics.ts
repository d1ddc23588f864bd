import type { FastifyReply, FastifyRequest } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

/** Seconds: from a cached JSON answer (well under 5 ms) to a slow page render. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The route label of a request no route matched: never its raw URL, which anyone can vary. */
export const UNMATCHED_ROUTE = '(unmatched)';

type Observer = (seconds: number) => void;

/** One histogram per registry: each app built in a process (tests build many) records into it. */
const histograms = new WeakMap<Registry, { histogram: Histogram; observers: Map<string, Observer> }>();

function metricsOf(registry: Registry) {
  let metrics = histograms.get(registry);
  if (!metrics) {
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status: _count is the rate (errors: status 5xx), the buckets the duration',
      labelNames: ['method', 'route', 'status'],
      buckets: BUCKETS,
      registers: [registry],
    });
    metrics = { histogram, observers: new Map() };
    histograms.set(registry, metrics);
  }
  return metrics;
}

/**
 * An onResponse hook recording each answered request in `http_request_duration_seconds`. The
 * labelled series is looked up once per method, route and status and then reused, so a request
 * costs one Map lookup and one observation, not prom-client's label hashing.
 */
export function requestMetricsHook(registry: Registry) {
  const { histogram, observers } = metricsOf(registry);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let observe = observers.get(key);
    if (!observe) {
      const series = histogram.labels(request.method, route, String(reply.statusCode));
      observe = (seconds) => series.observe(seconds);
      observers.set(key, observe);
    }
    observe(reply.elapsedTime / 1000);
    done();
  };
}
