import { ttlCache } from '../cache/ttl-cache';
import type { CartService } from './service';

export interface CachedCountsOptions {
  /** How long a count read is reused (bounds staleness while the change stream is down); 0 turns it off. */
  ttlMs: number;
  /** Counts kept at most (the oldest go first). */
  maxEntries?: number;
  /** Tells which cart changed anywhere (a change stream on `carts`): its count is forgotten. */
  changes?: { onChange(listener: (cartId: string) => void): void };
  now?: () => number;
}

/**
 * The header's cart count on every page without a database round trip: a count read once is kept per
 * cart; this instance's own writes to a cart forget its count (the next page reads it again), and the
 * change stream forgets it when another instance or device changed the cart. A read that overlapped a
 * forget is not kept, since it may predate the write.
 */
export function cachedCartCounts(
  carts: CartService,
  { ttlMs, maxEntries = 10_000, changes, now = Date.now }: CachedCountsOptions,
): CartService {
  const counts = ttlCache<number>({ ttlMs, maxEntries, now });
  const forget = (...cartIds: string[]) => {
    for (const id of cartIds) counts.forget(id);
  };
  changes?.onChange((cartId) => forget(cartId));

  /** `write` with the carts it changes forgotten once it has run, failed or not (it may have written). */
  function writing<T>(write: Promise<T>, ...cartIds: string[]): Promise<T> {
    return write.finally(() => forget(...cartIds));
  }

  return {
    ...carts,
    count: async (cartId) => (cartId ? counts.remember(cartId, () => carts.count(cartId)) : 0),
    add: (cartId, productId, qty) => writing(carts.add(cartId, productId, qty), cartId),
    set: (cartId, productId, qty) => writing(carts.set(cartId, productId, qty), cartId),
    remove: (cartId, productId) => writing(carts.remove(cartId, productId), cartId),
    removeOrdered: (cartId, ordered) => writing(carts.removeOrdered(cartId, ordered), cartId),
    merge: (fromId, toId) => writing(carts.merge(fromId, toId), fromId, toId),
  };
}
