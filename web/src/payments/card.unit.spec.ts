import { describe, expect, it } from 'vitest';
import { checkCard, isExpired, parseExpiry, passesLuhn } from './card';
import { devPaymentProvider } from './dev-provider';

const now = new Date('2026-06-15T12:00:00Z');

describe('passesLuhn', () => {
  it.each(['4242424242424242', '4000000000000002', '5555555555554444'])('accepts %s', (digits) => {
    expect(passesLuhn(digits)).toBe(true);
  });
  it.each(['4242424242424241', '1234', 'abcd', ''])('refuses %j', (digits) => {
    expect(passesLuhn(digits)).toBe(false);
  });
});

describe('expiry', () => {
  it('parses MM/YY and is good through the end of its month', () => {
    expect(parseExpiry('06/26')).toEqual({ month: 6, year: 2026 });
    expect(parseExpiry('13/26')).toBeNull();
    expect(isExpired({ month: 6, year: 2026 }, now)).toBe(false);
    expect(isExpired({ month: 5, year: 2026 }, now)).toBe(true);
    expect(isExpired({ month: 1, year: 2027 }, now)).toBe(false);
  });
});

describe('checkCard', () => {
  it('normalises spaces in the number', () => {
    expect(checkCard({ cardNumber: '4242 4242 4242 4242', expiry: '12/30', cvc: '123' }, now)).toEqual({
      ok: true,
      card: { number: '4242424242424242', expiryMonth: 12, expiryYear: 2030, cvc: '123' },
    });
  });

  it('names every bad field', () => {
    const result = checkCard({ cardNumber: '4242 4242 4242 4241', expiry: '01/20', cvc: '12' }, now);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map((problem) => problem.path)).toEqual(['/cardNumber', '/expiry', '/cvc']);
  });
});

describe('the dev provider', () => {
  const provider = devPaymentProvider();
  const card = (number: string) => ({ number, expiryMonth: 12, expiryYear: 2030, cvc: '123' });

  it('takes only the two test numbers', () => {
    expect(provider.checkCard(card('4242424242424242'))).toEqual([]);
    expect(provider.checkCard(card('4000000000000002'))).toEqual([]);
    expect(provider.checkCard(card('5555555555554444'))).toMatchObject([{ path: '/cardNumber' }]);
  });

  it('authorizes 4242… and declines 4000…0002', async () => {
    const request = { paymentId: 'p_1', amount: 100, currency: 'EUR' };
    expect(await provider.authorize({ ...request, card: card('4242424242424242') })).toMatchObject({
      status: 'authorized',
    });
    expect(await provider.authorize({ ...request, card: card('4000000000000002') })).toMatchObject({
      status: 'declined',
    });
  });
});
