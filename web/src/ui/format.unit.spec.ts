import { describe, expect, it } from 'vitest';
import { formatPrice } from './format';

describe('formatPrice', () => {
  it('formats minor units with the currency’s decimals', () => {
    expect(formatPrice({ amount: 4999, currency: 'EUR' })).toBe('€49.99');
    // The symbol depends on the ICU data; the decimals must not.
    expect(formatPrice({ amount: 500, currency: 'JPY' })).toMatch(/^\D*500$/);
    expect(formatPrice({ amount: 1234, currency: 'KWD' })).toMatch(/^\D*1\.234$/);
  });
});
