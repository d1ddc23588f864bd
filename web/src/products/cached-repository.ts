import { type TtlCacheOptions, ttlCache } from '../cache/ttl-cache';
import type { ProductRepository } from './repository';

/** `ttlMs` 0 turns the cache off. */
export interface CatalogCacheOptions extends TtlCacheOptions {
  /** Forgets everything when the catalog changes (a change stream on `products`, live/collection-changes.ts). */
  changes?: { onChange(listener: () => void): void };
}

/**
 * The catalog as pages read it, reused for a few seconds: every page lists categories and products,
 * which change only when the back office edits them, so most page views need no database round trip.
 * A change of the catalog empties the cache when its change event arrives (`changes`); `ttlMs` bounds
 * the age of a read if the change stream is down. Concurrent misses share one query, and
 * a failed query is not kept. `findByIds` is not cached: carts and checkout price from it.
 */
export function cachedProductRepository(
  inner: ProductRepository,
  { ttlMs, maxEntries = 1000, now = Date.now, changes }: CatalogCacheOptions,
): ProductRepository {
  if (ttlMs <= 0) return inner;
  // One cache for answers of every shape: each key's loader fixes its type.
  const cache = ttlCache<unknown>({ ttlMs, maxEntries, name: 'catalog', now });
  changes?.onChange(() => cache.clear());
  const remember = <T>(key: string, load: () => Promise<T>) => cache.remember(key, load) as Promise<T>;

  return {
    list: (query) =>
      remember(`list:${query.category ?? ''}:${query.offset}:${query.limit}`, () => inner.list(query)),
    findById: (id) => remember(`product:${id}`, () => inner.findById(id)),
    findByIds: (ids) => inner.findByIds(ids),
    listCategories: () => remember('categories', () => inner.listCategories()),
  };
}
