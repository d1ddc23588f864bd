import { describe, expect, it } from 'vitest';
import { minorUnitsToPrice, optionalInteger, priceToMinorUnits } from './forms';

describe('admin form fields', () => {
  it('reads prices as people write them, in minor units', () => {
    expect(priceToMinorUnits('49')).toBe(4900);
    expect(priceToMinorUnits('49.9')).toBe(4990);
    expect(priceToMinorUnits('49,95')).toBe(4995);
    expect(priceToMinorUnits(' 0.05 ')).toBe(5);
  });

  it('refuses what is not a price', () => {
    for (const text of ['', '-1', '1.234', 'abc', '1e3', '12.', '1234567'])
      expect(priceToMinorUnits(text)).toBeNull();
  });

  it('writes minor units back as the form shows them', () => {
    expect(minorUnitsToPrice(4900)).toBe('49.00');
    expect(minorUnitsToPrice(5)).toBe('0.05');
    expect(priceToMinorUnits(minorUnitsToPrice(123456))).toBe(123456);
  });

  it('reads an optional whole number: empty is absent, text is refused later', () => {
    const form = new URLSearchParams({ a: '', b: '12', c: 'x' });
    expect(optionalInteger(form, 'a')).toBeUndefined();
    expect(optionalInteger(form, 'b')).toBe(12);
    expect(optionalInteger(form, 'c')).toBeNaN();
  });
});
