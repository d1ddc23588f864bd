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
 * forget is not kept, since it may predate the write. A count read before the visitor's own last
 * write (`readAfter`, their session's stamp) is read again: a write through another instance shows
 * in the header before that instance's change stream tells this one.
 */
export function cachedCartCounts(
  carts: CartService,
  { ttlMs, maxEntries = 10_000, changes, now = Date.now }: CachedCountsOptions,
): CartService {
  const counts = ttlCache<{ count: number; readAt: number }>({ ttlMs, maxEntries, name: 'cart_counts', now });
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
    async count(cartId, readAfter) {
      if (!cartId) return 0;
      // Every page asks: a count kept and read after the visitor's last write costs no load at all.
      const settled = counts.peek(cartId)?.value;
      if (settled && (readAfter === undefined || settled.readAt > readAfter)) return settled.count;
      const read = async () => {
        const readAt = now();
        return { count: await carts.count(cartId), readAt };
      };
      const kept = await counts.remember(cartId, read);
      if (readAfter === undefined || kept.readAt > readAfter) return kept.count;
      // Read before the visitor's last write (kept, or a read in flight they joined): read it now.
      counts.forget(cartId);
      return (await counts.remember(cartId, read)).count;
    },
    add: (cartId, productId, qty) => writing(carts.add(cartId, productId, qty), cartId),
    set: (cartId, productId, qty) => writing(carts.set(cartId, productId, qty), cartId),
    remove: (cartId, productId) => writing(carts.remove(cartId, productId), cartId),
    removeOrdered: (cartId, ordered) => writing(carts.removeOrdered(cartId, ordered), cartId),
    merge: (fromId, toId) => writing(carts.merge(fromId, toId), fromId, toId),
  };
}
