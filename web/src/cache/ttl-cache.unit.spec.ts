import { describe, expect, it } from 'vitest';
import { ttlCache } from './ttl-cache';

function clock(start = 1000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('ttlCache', () => {
  it('shares one load between concurrent callers and reuses it until the TTL passes', async () => {
    const time = clock();
    const cache = ttlCache<number>({ ttlMs: 100, now: time.now });
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([cache.remember('a', load), cache.remember('a', load)])).toEqual([1, 1]);
    time.advance(99);
    expect(await cache.remember('a', load)).toBe(1);
    time.advance(1);
    expect(await cache.remember('a', load)).toBe(2);
  });

  it('peeks only at loaded, fresh values and never loads', async () => {
    const time = clock();
    const cache = ttlCache<string>({ ttlMs: 50, now: time.now });
    expect(cache.peek('a')).toBeUndefined();
    let finish: (value: string) => void = () => {};
    const loading = cache.remember('a', () => new Promise<string>((resolve) => (finish = resolve)));
    expect(cache.peek('a')).toBeUndefined();
    finish('page');
    await loading;
    expect(cache.peek('a')).toEqual({ value: 'page' });
    time.advance(50);
    expect(cache.peek('a')).toBeUndefined();
  });

  it('forgets a failed load so the next caller tries again', async () => {
    const cache = ttlCache<string>({ ttlMs: 1000 });
    await expect(cache.remember('a', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.remember('a', async () => 'up')).toBe('up');
  });

  it('forgets one key, its load in flight included, and keeps the others', async () => {
    const cache = ttlCache<string>({ ttlMs: 1000 });
    await cache.remember('b', async () => 'b');
    let finish: (value: string) => void = () => {};
    const inFlight = cache.remember('a', () => new Promise((resolve) => (finish = resolve)));
    cache.forget('a');
    finish('old');
    expect(await inFlight).toBe('old'); // its callers still get it
    expect(await cache.remember('a', async () => 'new')).toBe('new');
    expect(cache.peek('b')).toEqual({ value: 'b' });
  });

  it('keeps at most maxEntries values, dropping the oldest', async () => {
    const cache = ttlCache<string>({ ttlMs: 1000, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await cache.remember(key, async () => key);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('b')).toEqual({ value: 'b' });
    expect(cache.peek('c')).toEqual({ value: 'c' });
  });
});
