import { getOrCreate, metricsRegistry } from '@az-shop/common/http/metrics';
import { Counter, Gauge } from 'prom-client';

/** What one named cache reports: the loads it started (counted by the cache) and what it holds now. */
export interface CacheMeter {
  readonly name: string;
  readonly size: () => number;
  /** Called when the cache starts a load: a lookup its kept values could not answer. */
  loaded(): void;
}

/** Loads started, by cache name, over the process's life (tests open several apps in one process). */
const loads = new Map<string, number>();
/** Each open cache's meter (the cache holds it): a cache dropped with its app drops out of here too. */
const meters = new Set<WeakRef<CacheMeter>>();

function registerMetrics(): void {
  getOrCreate(
    metricsRegistry,
    'web_cache_loads_total',
    () =>
      new Counter({
        name: 'web_cache_loads_total',
        help: 'Loads a cache started: lookups its kept values could not answer (a database read or a render)',
        labelNames: ['cache'],
        registers: [metricsRegistry],
        collect() {
          this.reset();
          for (const [cache, count] of loads) this.inc({ cache }, count);
        },
      }),
  );
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
}

/**
 * Reports a cache on `/metrics` as `web_cache_loads_total{cache}` and `web_cache_entries{cache}`:
 * against the requests that use it, the loads say how much work the cache saves. A plain count per
 * load, so the lookups that hit cost nothing more.
 */
export function cacheMeter(name: string, size: () => number): CacheMeter {
  registerMetrics();
  loads.set(name, loads.get(name) ?? 0);
  const meter: CacheMeter = {
    name,
    size,
    loaded: () => {
      loads.set(name, (loads.get(name) ?? 0) + 1);
    },
  };
  meters.add(new WeakRef(meter));
  return meter;
}
