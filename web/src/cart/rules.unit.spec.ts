import { type CartLine, MAX_CART_LINES, MAX_LINE_QTY } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { addLine, cartExpiry, cartId, mergeLines, removeLine, setLine, withoutOrdered } from './rules';

const line = (productId: string, qty: number, unitPrice = 100): CartLine => ({ productId, qty, unitPrice });
const full = Array.from({ length: MAX_CART_LINES }, (_, i) => line(`p-${i}`, 1));

describe('cartId', () => {
  it('is user:<sub> signed in and anon:<id> before', () => {
    expect(cartId({ kind: 'user', sub: 'u1' })).toBe('user:u1');
    expect(cartId({ kind: 'anonymous', id: 'abc' })).toBe('anon:abc');
  });
});

describe('addLine', () => {
  it('given no line for the product, when adding, then a line is appended at the current price', () => {
    expect(addLine([line('a', 1)], 'b', 2, 250)).toEqual({
      ok: true,
      lines: [line('a', 1), line('b', 2, 250)],
    });
  });

  it('given a line, when adding, then the quantities are summed and the price refreshed', () => {
    expect(addLine([line('a', 2, 100)], 'a', 3, 120)).toEqual({ ok: true, lines: [line('a', 5, 120)] });
  });

  it(`caps a line at ${MAX_LINE_QTY}`, () => {
    expect(addLine([line('a', 999)], 'a', 5, 100)).toEqual({ ok: true, lines: [line('a', MAX_LINE_QTY)] });
  });

  it(`refuses a new product beyond ${MAX_CART_LINES} lines, but still adds to an existing one`, () => {
    expect(addLine(full, 'new', 1, 100)).toEqual({ ok: false, reason: 'too-many-lines' });
    expect(addLine(full, 'p-0', 1, 100).ok).toBe(true);
  });
});

describe('setLine', () => {
  it('sets the quantity, capped', () => {
    expect(setLine([line('a', 2)], 'a', 7, 100)).toEqual({ ok: true, lines: [line('a', 7)] });
    expect(setLine([line('a', 2)], 'a', 5000, 100)).toEqual({ ok: true, lines: [line('a', MAX_LINE_QTY)] });
  });

  it('removes the line at 0 and adds a product not yet in the cart', () => {
    expect(setLine([line('a', 2), line('b', 1)], 'a', 0, 100)).toEqual({ ok: true, lines: [line('b', 1)] });
    expect(setLine([], 'a', 3, 100)).toEqual({ ok: true, lines: [line('a', 3)] });
  });
});

describe('removeLine', () => {
  it('drops the product and leaves the rest', () => {
    expect(removeLine([line('a', 1), line('b', 1)], 'a')).toEqual([line('b', 1)]);
    expect(removeLine([line('b', 1)], 'a')).toEqual([line('b', 1)]);
  });
});

describe('mergeLines (sign-in)', () => {
  it('adds the anonymous quantities to the user cart, capped, keeping new products after', () => {
    const merged = mergeLines([line('a', 1), line('b', 999)], [line('b', 5), line('c', 2)]);
    expect(merged).toEqual([line('a', 1), line('b', MAX_LINE_QTY), line('c', 2)]);
  });

  it('drops anonymous products that do not fit, never the user own lines', () => {
    const merged = mergeLines(full, [line('extra', 1), line('p-1', 1)]);
    expect(merged).toHaveLength(MAX_CART_LINES);
    expect(merged.find((candidate) => candidate.productId === 'extra')).toBeUndefined();
    expect(merged.find((candidate) => candidate.productId === 'p-1')?.qty).toBe(2);
  });
});

describe('withoutOrdered', () => {
  it('takes the ordered quantities out and keeps what was added since', () => {
    expect(
      withoutOrdered(
        [line('a', 3), line('b', 1)],
        [
          { productId: 'a', qty: 2 },
          { productId: 'b', qty: 1 },
        ],
      ),
    ).toEqual([line('a', 1)]);
  });
});

describe('cartExpiry', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  it('given an anonymous cart, when it changes, then it expires the retention after the change', () => {
    expect(cartExpiry('anon:abc', at, 60_000)).toEqual(new Date('2026-01-01T00:01:00Z'));
  });
  it('given a user’s cart, when it changes, then it never expires', () => {
    expect(cartExpiry('user:sam', at, 60_000)).toBeUndefined();
  });
});
