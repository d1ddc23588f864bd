import type { ProductRepository } from './repository';

export interface CatalogCacheOptions {
  /** How long an answer is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Answers kept at most (the oldest go first). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  value: Promise<unknown>;
  expires: number;
}

/**
 * The catalog as pages read it, reused for a few seconds: every page lists categories and products,
 * which change only when the back office edits them, so most page views need no database round trip.
 * A back-office edit shows on every instance within `ttlMs`. Concurrent misses share one query, and
 * a failed query is not kept. `findByIds` is not cached: carts and checkout price from it.
 */
export function cachedProductRepository(
  inner: ProductRepository,
  { ttlMs, maxEntries = 1000, now = Date.now }: CatalogCacheOptions,
): ProductRepository {
  if (ttlMs <= 0) return inner;
  const entries = new Map<string, Entry>();

  function remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    const at = now();
    const cached = entries.get(key);
    if (cached && cached.expires > at) return cached.value as Promise<T>;
    const value = load();
    entries.delete(key);
    entries.set(key, { value, expires: at + ttlMs });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      entries.delete(oldest.value);
    }
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  }

  return {
    list: (query) =>
      remember(`list:${query.category ?? ''}:${query.offset}:${query.limit}`, () => inner.list(query)),
    findById: (id) => remember(`product:${id}`, () => inner.findById(id)),
    findByIds: (ids) => inner.findByIds(ids),
    listCategories: () => remember('categories', () => inner.listCategories()),
  };
}
