import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { DurationHistogram, type HistogramSeries } from './duration-histogram';

/** Seconds: from a cached JSON answer (well under 5 ms) to a slow page render. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The route label of a request no route matched: never its raw URL, which anyone can vary. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** One histogram per registry: each app built in a process (tests build many) records into it. */
const histograms = new WeakMap<Registry, { histogram: DurationHistogram; series: SeriesByRoute }>();

/** Route, then method, then status: nested Maps, as building one string key per request cost more than the observation. */
type SeriesByRoute = Map<string, Map<string, Map<number, HistogramSeries>>>;

function metricsOf(registry: Registry) {
  let metrics = histograms.get(registry);
  if (!metrics) {
    const histogram = new DurationHistogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status: _count is the rate (errors: status 5xx), the buckets the duration',
      labelNames: ['method', 'route', 'status'],
      buckets: BUCKETS,
      registry,
    });
    metrics = { histogram, series: new Map() };
    histograms.set(registry, metrics);
  }
  return metrics;
}

/**
 * An onResponse hook recording each answered request in `http_request_duration_seconds`. The
 * labelled series is looked up once per route, method and status and then reused, so a request
 * costs three Map lookups, a search of 13 buckets and a few additions, with nothing allocated:
 * about 40 ns where a string key and prom-client's observe (which hashes and validates the labels)
 * took about 650 ns, measured in a loop on this project's dev machine.
 */
export function requestMetricsHook(registry: Registry) {
  const { histogram, series } = metricsOf(registry);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const { method } = request;
    const { statusCode } = reply;
    const byMethod = entryOf(series, route, () => new Map());
    const byStatus = entryOf(byMethod, method, () => new Map());
    const observed = entryOf(byStatus, statusCode, () => histogram.child(method, route, String(statusCode)));
    observed.observe(reply.elapsedTime / 1000);
    done();
  };
}

function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
