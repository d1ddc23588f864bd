import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDateTime, formatPrice } from './format';

describe('formatPrice', () => {
  it('formats minor units with the currency’s decimals', () => {
    expect(formatPrice({ amount: 4999, currency: 'EUR' })).toBe('€49.99');
    // The symbol depends on the ICU data; the decimals must not.
    expect(formatPrice({ amount: 500, currency: 'JPY' })).toMatch(/^\D*500$/);
    expect(formatPrice({ amount: 1234, currency: 'KWD' })).toMatch(/^\D*1\.234$/);
  });
});

describe('formatDateTime', () => {
  it('prints UTC whatever the machine’s time zone, so server and browser agree', () => {
    expect(formatDateTime('2025-03-03T14:05:59.000Z')).toBe('3 Mar 2025, 14:05 UTC');
  });

  it('shows a time it cannot parse as it came', () => {
    expect(formatDateTime('soon')).toBe('soon');
  });
});

describe('formatCountdown', () => {
  it('shows minutes and seconds', () => {
    expect(formatCountdown((14 * 60 + 32) * 1000)).toBe('14:32');
    expect(formatCountdown(5_000)).toBe('0:05');
  });

  it('rounds a part-second up, so 0:00 means the time is over', () => {
    expect(formatCountdown(100)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-60_000)).toBe('0:00');
  });

  it('adds hours from an hour on', () => {
    expect(formatCountdown((3600 + 2 * 60 + 3) * 1000)).toBe('1:02:03');
  });
});
