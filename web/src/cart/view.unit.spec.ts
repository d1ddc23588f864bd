import { describe, expect, it } from 'vitest';
import type { Product } from '../products/product';
import { emptyCartView, toCartView } from './view';

const chair: Product = {
  id: 'chair',
  category: 'c',
  heading: 'Chair',
  description: '',
  price: { amount: 1500, currency: 'EUR' },
  imagePath: 'products/chair.png',
  position: 'normal',
};

describe('toCartView', () => {
  it('prices lines at the catalog price and sums count and total', () => {
    const view = toCartView(
      [
        { productId: 'chair', qty: 2, unitPrice: 1000 },
        { productId: 'gone', qty: 1, unitPrice: 700 },
      ],
      'EUR',
      new Map([['chair', chair]]),
    );
    expect(view).toEqual({
      lines: [
        {
          productId: 'chair',
          heading: 'Chair',
          imagePath: 'products/chair.png',
          qty: 2,
          unitPrice: 1500,
          lineTotal: 3000,
        },
        { productId: 'gone', heading: 'gone', qty: 1, unitPrice: 700, lineTotal: 700 },
      ],
      count: 3,
      total: 3700,
      currency: 'EUR',
    });
  });

  it('has an empty view', () => {
    expect(emptyCartView()).toEqual({ lines: [], count: 0, total: 0, currency: 'EUR' });
  });
});
