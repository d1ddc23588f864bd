import { describe, expect, it } from 'vitest';
import { PersonalPages } from './personal-pages';
import { sharedPage } from './shared-pages';

const page = (text: string) => sharedPage(`<p>${text}</p>`);
const text = (kept: ReturnType<typeof page> | undefined) => kept?.parts.map(String).join('');

/** A cache on a clock the test moves. */
function cacheAt(start = 10_000, options: { maxPages?: number; maxPagesPerOwner?: number } = {}) {
  const clock = { now: start };
  const cache = new PersonalPages({ ttlMs: 1000, now: () => clock.now, ...options });
  /** Reads and keeps a page for `owner` now, as a render would. */
  const keep = (owner: string, key: string, content: string, readAfter = 0) => {
    const read = cache.begin(owner, readAfter);
    read.keep(key, page(content));
    read.end();
  };
  return { clock, cache, keep };
}

describe('personal pages', () => {
  it('given a kept page, when its shopper asks again within the TTL, then they get it; after it, not', () => {
    const { clock, cache, keep } = cacheAt();
    keep('sam', '/cart', 'cart of sam');
    expect(text(cache.peek({ owner: 'sam', page: '/cart' }, 0))).toBe('<p>cart of sam</p>');
    expect(cache.peek({ owner: 'ada', page: '/cart' }, 0)).toBeUndefined();
    clock.now += 1000;
    expect(cache.peek({ owner: 'sam', page: '/cart' }, 0)).toBeUndefined();
  });

  it('given a page read before the shopper last wrote, when they ask, then it is not theirs to get', () => {
    const { clock, cache, keep } = cacheAt();
    keep('sam', '/cart', 'before');
    // Their write's stamp (plus the skew) is at or after the read: the page may not show it.
    expect(cache.peek({ owner: 'sam', page: '/cart' }, clock.now)).toBeUndefined();
    expect(cache.peek({ owner: 'sam', page: '/cart' }, clock.now - 1)).toBeDefined();
  });

  it('given a read that began before the shopper last wrote, when it ends, then it is not kept', () => {
    const { clock, cache, keep } = cacheAt();
    keep('sam', '/cart', 'too early', clock.now);
    expect(cache.pages).toBe(0);
  });

  it('given a read under way, when the shopper’s data changes, then what it read is not kept', () => {
    const { cache } = cacheAt();
    const read = cache.begin('sam', 0);
    cache.forgetOwner('sam');
    read.keep('/cart', page('stale'));
    read.end();
    expect(cache.peek({ owner: 'sam', page: '/cart' }, 0)).toBeUndefined();

    const other = cache.begin('ada', 0);
    cache.forgetOwner('sam');
    other.keep('/cart', page('fresh'));
    other.end();
    expect(cache.pages).toBe(1);
  });

  it('given pages of several shoppers, when the catalog changes, then none is kept, reads under way included', () => {
    const { cache, keep } = cacheAt();
    keep('sam', '/cart', 'a');
    keep('ada', '/orders', 'b');
    const read = cache.begin('sam', 0);
    cache.clear();
    read.keep('/orders', page('stale'));
    read.end();
    expect(cache.pages).toBe(0);
  });

  it('given a shopper’s change, when it is told, then only their pages go', () => {
    const { cache, keep } = cacheAt();
    keep('sam', '/cart', 'a');
    keep('sam', '/orders', 'b');
    keep('ada', '/cart', 'c');
    cache.forgetOwner('sam');
    expect(cache.pages).toBe(1);
    expect(text(cache.peek({ owner: 'ada', page: '/cart' }, 0))).toBe('<p>c</p>');
  });

  it('given a read that ended, when it tries to keep its page later, then nothing is kept', () => {
    const { cache } = cacheAt();
    const read = cache.begin('sam', 0);
    read.end();
    read.keep('/cart', page('late'));
    expect(cache.pages).toBe(0);
  });

  it('given the limits, when more pages are kept, then a shopper’s oldest page and the shopper kept longest ago go', () => {
    const { cache, keep } = cacheAt(10_000, { maxPages: 3, maxPagesPerOwner: 2 });
    keep('sam', '/cart?a', '1');
    keep('sam', '/cart?b', '2');
    keep('sam', '/cart?c', '3');
    expect(cache.pages).toBe(2);
    expect(cache.peek({ owner: 'sam', page: '/cart?a' }, 0)).toBeUndefined();
    keep('ada', '/cart', '4');
    keep('bob', '/cart', '5');
    // Four pages over the limit of three: sam, kept longest ago, goes whole.
    expect(cache.pages).toBe(2);
    expect(cache.peek({ owner: 'sam', page: '/cart?c' }, 0)).toBeUndefined();
    expect(cache.peek({ owner: 'bob', page: '/cart' }, 0)).toBeDefined();
  });

  it('given pages kept, replaced, evicted and dropped, then their bytes add up to what is kept', () => {
    const { cache, keep } = cacheAt(10_000, { maxPages: 3, maxPagesPerOwner: 2 });
    const bytes = (content: string) => page(content).partsLength;
    keep('sam', '/cart', 'aa');
    keep('sam', '/cart', 'aaaa'); // replaced
    keep('sam', '/orders', 'bbbbbb');
    keep('sam', '/orders/1', 'c'); // sam's oldest (/cart) goes
    expect(cache.bytes).toBe(bytes('bbbbbb') + bytes('c'));
    keep('ada', '/cart', 'dd');
    keep('bob', '/cart', 'eee'); // over three pages: sam goes whole
    expect(cache.bytes).toBe(bytes('dd') + bytes('eee'));
    cache.forgetOwner('ada');
    expect(cache.bytes).toBe(bytes('eee'));
    cache.clear();
    expect([cache.pages, cache.bytes]).toEqual([0, 0]);
  });

  it('given a page kept again, when counted, then it is one page', () => {
    const { cache, keep } = cacheAt();
    keep('sam', '/cart', 'old');
    keep('sam', '/cart', 'new');
    expect(cache.pages).toBe(1);
    expect(text(cache.peek({ owner: 'sam', page: '/cart' }, 0))).toBe('<p>new</p>');
  });
});
