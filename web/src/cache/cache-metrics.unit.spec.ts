import { metricsRegistry } from '@az-shop/common/http/metrics';
import { describe, expect, it } from 'vitest';
import { ttlCache } from './ttl-cache';

/** The value of `metric{cache="<cache>"}` on `/metrics`, or undefined when it has no such series. */
async function metricOf(metric: string, cache: string): Promise<number | undefined> {
  const text = await metricsRegistry.metrics();
  const line = new RegExp(`^${metric}\\{[^}]*cache="${cache}"[^}]*\\} (\\d+)$`, 'm').exec(text);
  return line ? Number(line[1]) : undefined;
}

describe('cache metrics', () => {
  it('given a named cache, when lookups hit and miss, then /metrics counts its loads and the values it holds', async () => {
    const cache = ttlCache<string>({ ttlMs: 1000, name: 'metrics_test_a' });
    expect(await metricOf('web_cache_loads_total', 'metrics_test_a')).toBe(0);
    for (const key of ['a', 'b', 'a', 'a', 'b']) await cache.remember(key, async () => key);
    cache.peek('a');
    cache.peek('c');
    expect(await metricOf('web_cache_loads_total', 'metrics_test_a')).toBe(2);
    expect(await metricOf('web_cache_entries', 'metrics_test_a')).toBe(2);
    cache.forget('a');
    expect(await metricOf('web_cache_entries', 'metrics_test_a')).toBe(1);
  });

  it('given two caches of one name (two apps in one process), then their loads and sizes add up', async () => {
    const first = ttlCache<string>({ ttlMs: 1000, name: 'metrics_test_b' });
    const second = ttlCache<string>({ ttlMs: 1000, name: 'metrics_test_b' });
    await first.remember('a', async () => 'a');
    await second.remember('a', async () => 'a');
    await second.remember('b', async () => 'b');
    expect(await metricOf('web_cache_loads_total', 'metrics_test_b')).toBe(3);
    expect(await metricOf('web_cache_entries', 'metrics_test_b')).toBe(3);
  });

  it('given a cache without a name, then it is not reported', async () => {
    const cacheLines = async () =>
      (await metricsRegistry.metrics()).split('\n').filter((line) => line.startsWith('web_cache_'));
    const before = await cacheLines();
    await ttlCache<string>({ ttlMs: 1000 }).remember('a', async () => 'a');
    expect(await cacheLines()).toEqual(before);
  });
});
