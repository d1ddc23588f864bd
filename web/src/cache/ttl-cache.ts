import { cacheMeter } from './cache-metrics';

export interface TtlCacheOptions {
  /** How long a value is reused. */
  ttlMs: number;
  /** Values kept at most (the oldest go first). */
  maxEntries?: number;
  /** Reported under this name on `/metrics` (cache-metrics.ts): its loads and its size. */
  name?: string;
  now?: () => number;
}

interface Entry<T> {
  value: Promise<T>;
  /** Set once the load has succeeded, so callers that cannot wait can still read it. */
  settled?: { value: T };
  expires: number;
}

export interface TtlCache<T> {
  /** The value kept for `key`, or `load()`'s (kept; concurrent callers share one load). */
  remember(key: string, load: () => Promise<T>): Promise<T>;
  /** The loaded value kept for `key`, if any and still fresh, without loading anything. */
  peek(key: string): { value: T } | undefined;
  /** Forgets `key`'s value, a load in flight included (its result is not kept). */
  forget(key: string): void;
  /** Forgets every value, loads in flight included (their results are not kept). */
  clear(): void;
}

/**
 * Values reused for `ttlMs`, at most `maxEntries` of them: one load per key however many callers
 * ask at once, and a failed load is forgotten so the next caller tries again.
 */
export function ttlCache<T>({
  ttlMs,
  maxEntries = 1000,
  name,
  now = Date.now,
}: TtlCacheOptions): TtlCache<T> {
  const entries = new Map<string, Entry<T>>();
  const meter = name === undefined ? undefined : cacheMeter(name, () => entries.size);

  function fresh(key: string): Entry<T> | undefined {
    const entry = entries.get(key);
    return entry && entry.expires > now() ? entry : undefined;
  }

  return {
    remember(key, load) {
      const cached = fresh(key);
      if (cached) return cached.value;
      meter?.loaded();
      const entry: Entry<T> = { value: load(), expires: now() + ttlMs };
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      entry.value.then(
        (value) => {
          entry.settled = { value };
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
      return entry.value;
    },
    peek: (key) => fresh(key)?.settled,
    forget: (key) => entries.delete(key),
    clear: () => entries.clear(),
  };
}
