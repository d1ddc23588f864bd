import { getOrCreate, metricsRegistry } from '@az-shop/common/http/metrics';
import { Counter, Gauge } from 'prom-client';

/** What one named cache reports: the loads it started (counted by the cache) and what it holds now. */
export interface CacheMeter {
  readonly name: string;
  readonly size: () => number;
  /** Called when the cache starts a load: a lookup its kept values could not answer. */
  loaded(): void;
}

/** Each open cache's meter (the cache holds it): a cache dropped with its app drops out of here too. */
const meters = new Set<WeakRef<CacheMeter>>();

/** The two series, registered once per process (tests open several apps in one); returns the counter. */
function registerMetrics(): Counter<'cache'> {
  getOrCreate(
    metricsRegistry,
    'web_cache_entries',
    () =>
      new Gauge({
        name: 'web_cache_entries',
        help: 'Values a cache holds now, fresh or not yet evicted',
        labelNames: ['cache'],
        registers: [metricsRegistry],
        collect() {
          this.reset();
          const totals = new Map<string, number>();
          for (const ref of meters) {
            const meter = ref.deref();
            if (meter) totals.set(meter.name, (totals.get(meter.name) ?? 0) + meter.size());
            else meters.delete(ref);
          }
          for (const [cache, count] of totals) this.set({ cache }, count);
        },
      }),
  );
  return getOrCreate(
    metricsRegistry,
    'web_cache_loads_total',
    () =>
      new Counter({
        name: 'web_cache_loads_total',
        help: 'Loads a cache started: lookups its kept values could not answer (a database read or a render)',
        labelNames: ['cache'],
        registers: [metricsRegistry],
      }),
  );
}

/**
 * Reports a cache on `/metrics` as `web_cache_loads_total{cache}` and `web_cache_entries{cache}`:
 * against the requests that use it, the loads say how much work the cache saves. Only a load counts,
 * so the lookups that hit cost nothing more.
 */
export function cacheMeter(name: string, size: () => number): CacheMeter {
  const loads = registerMetrics().labels({ cache: name });
  loads.inc(0); // the series shows 0 from the start, not only after the first load
  const meter: CacheMeter = { name, size, loaded: () => loads.inc() };
  meters.add(new WeakRef(meter));
  return meter;
}
