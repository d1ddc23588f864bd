import { describe, expect, it } from 'vitest';
import type { CartView } from '../ui/data';
import { cachedCartCounts } from './cached-counts';
import type { CartService } from './service';

const EMPTY: CartView = { lines: [], count: 0, total: 0, currency: 'EUR' };

/** Carts in memory that count the count reads they answer; `hold` keeps the next read pending. */
function countingCarts(initial: Record<string, number>) {
  const counts = new Map(Object.entries(initial));
  const calls = { count: 0 };
  let held: (() => void) | undefined;
  const carts = {
    async count(cartId: string | null) {
      calls.count++;
      const value = counts.get(cartId ?? '') ?? 0;
      if (held) await new Promise<void>((resolve) => (held = resolve));
      return value;
    },
    async add(cartId: string, _productId: string, qty: number) {
      counts.set(cartId, (counts.get(cartId) ?? 0) + qty);
      return EMPTY;
    },
  } as unknown as CartService;
  return {
    carts,
    calls,
    counts,
    hold: () => (held = () => {}),
    release: () => {
      const resolve = held;
      held = undefined;
      resolve?.();
    },
  };
}

/** A stand-in for the change stream on `carts`: tells the listeners a cart changed. */
function changeFeed() {
  const listeners: ((cartId: string) => void)[] = [];
  return {
    onChange: (listener: (cartId: string) => void) => listeners.push(listener),
    changed: (cartId: string) => {
      for (const listener of listeners) listener(cartId);
    },
  };
}

describe('cached cart counts', () => {
  it('given a count read once, when it is asked again within the TTL, then no second read', async () => {
    const store = countingCarts({ a: 2 });
    const counts = cachedCartCounts(store.carts, { ttlMs: 1000, now: () => 0 });
    expect(await counts.count('a')).toBe(2);
    expect(await counts.count('a')).toBe(2);
    expect(store.calls.count).toBe(1);
  });

  it('given no cart, then 0 without a read', async () => {
    const store = countingCarts({});
    expect(await cachedCartCounts(store.carts, { ttlMs: 1000 }).count(null)).toBe(0);
    expect(store.calls.count).toBe(0);
  });

  it('given a kept count, when this instance writes the cart, then the next page reads the new count', async () => {
    const store = countingCarts({ a: 2 });
    const counts = cachedCartCounts(store.carts, { ttlMs: 1000, now: () => 0 });
    await counts.count('a');
    await counts.add('a', 'teapot', 3);
    expect(await counts.count('a')).toBe(5);
  });

  it('given a kept count, when another instance changes the cart, then it is read again', async () => {
    const store = countingCarts({ a: 2, b: 1 });
    const feed = changeFeed();
    const counts = cachedCartCounts(store.carts, { ttlMs: 1000, now: () => 0, changes: feed });
    await counts.count('a');
    await counts.count('b');
    store.counts.set('a', 7);
    feed.changed('a');
    expect(await counts.count('a')).toBe(7);
    expect(await counts.count('b')).toBe(1);
    expect(store.calls.count).toBe(3);
  });

  it('given a read in flight, when the cart changes meanwhile, then its answer is not kept', async () => {
    const store = countingCarts({ a: 2 });
    const feed = changeFeed();
    const counts = cachedCartCounts(store.carts, { ttlMs: 1000, now: () => 0, changes: feed });
    store.hold();
    const stale = counts.count('a');
    store.counts.set('a', 4);
    feed.changed('a');
    store.release();
    expect(await stale).toBe(2);
    expect(await counts.count('a')).toBe(4);
  });

  it('given a count kept before the visitor last wrote, when they ask after it, then it is read again', async () => {
    const store = countingCarts({ a: 2 });
    let clock = 100;
    const counts = cachedCartCounts(store.carts, { ttlMs: 1000, now: () => clock });
    await counts.count('a'); // kept, read at 100
    // The visitor wrote through another instance at 150 (this one was not told): their stamp says so.
    store.counts.set('a', 5);
    clock = 200;
    expect(await counts.count('a', 150)).toBe(5);
    expect(await counts.count('a', 150)).toBe(5); // the new read is kept, read after the stamp
    expect(await counts.count('a')).toBe(5);
    expect(store.calls.count).toBe(2);
  });

  it('given a read in flight that began before the visitor wrote, when they ask, then they wait for one after it', async () => {
    const store = countingCarts({ a: 2 });
    let clock = 100;
    const counts = cachedCartCounts(store.carts, { ttlMs: 1000, now: () => clock });
    store.hold();
    const earlier = counts.count('a'); // read at 100, held
    clock = 200;
    store.counts.set('a', 5); // written at 150
    const mine = counts.count('a', 150);
    store.release();
    expect(await earlier).toBe(2);
    expect(await mine).toBe(5);
  });

  it('given a kept count older than the TTL, then it is read again', async () => {
    const store = countingCarts({ a: 2 });
    let clock = 0;
    const counts = cachedCartCounts(store.carts, { ttlMs: 1000, now: () => clock });
    await counts.count('a');
    store.counts.set('a', 6);
    clock = 1000;
    expect(await counts.count('a')).toBe(6);
  });
});
