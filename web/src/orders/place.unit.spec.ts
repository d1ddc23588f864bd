import { describe, expect, it } from 'vitest';
import type { Product } from '../products/product';
import { orderIdFor } from './ids';
import { placeOrder } from './place';

const product = (id: string, amount: number, currency = 'EUR'): Product => ({
  id,
  category: 'c',
  heading: id,
  description: '',
  price: { amount, currency },
  position: 'normal',
});

const now = new Date('2026-01-01T10:00:00Z');
const checkout = {
  address: {
    name: ' Sam ',
    line1: 'Main St 1',
    line2: '  ',
    city: 'Berlin',
    postcode: '10115',
    country: 'DE',
  },
  idempotencyKey: 'key-12345',
};

describe('placeOrder', () => {
  it('captures catalog prices (not the cart ones), the total, payBy and the derived id', () => {
    const result = placeOrder({
      userId: 'u1',
      lines: [
        { productId: 'a', qty: 2, unitPrice: 1 },
        { productId: 'b', qty: 1, unitPrice: 1 },
      ],
      products: new Map([
        ['a', product('a', 1000)],
        ['b', product('b', 250)],
      ]),
      checkout,
      now,
      holdMinutes: 15,
    });
    expect(result).toEqual({
      ok: true,
      order: {
        _id: orderIdFor('u1', 'key-12345'),
        partition_key: 'u1',
        userId: 'u1',
        lines: [
          { productId: 'a', qty: 2, unitPrice: 1000 },
          { productId: 'b', qty: 1, unitPrice: 250 },
        ],
        currency: 'EUR',
        total: 2250,
        deliveryAddress: {
          name: 'Sam',
          line1: 'Main St 1',
          city: 'Berlin',
          postcode: '10115',
          country: 'DE',
        },
        placedAt: now,
        idempotencyKey: 'key-12345',
        payBy: new Date('2026-01-01T10:15:00Z'),
      },
    });
  });

  it('refuses an empty cart, a product the catalog lost, and mixed currencies', () => {
    const base = { userId: 'u1', checkout, now, holdMinutes: 15 };
    expect(placeOrder({ ...base, lines: [], products: new Map() })).toMatchObject({ ok: false });
    expect(
      placeOrder({ ...base, lines: [{ productId: 'x', qty: 1, unitPrice: 1 }], products: new Map() }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('x') });
    expect(
      placeOrder({
        ...base,
        lines: [
          { productId: 'a', qty: 1, unitPrice: 1 },
          { productId: 'b', qty: 1, unitPrice: 1 },
        ],
        products: new Map([
          ['a', product('a', 1)],
          ['b', product('b', 1, 'USD')],
        ]),
      }),
    ).toMatchObject({ ok: false });
  });
});
