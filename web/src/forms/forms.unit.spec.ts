import { describe, expect, it } from 'vitest';
import { CHECKOUT_HINTS, CheckoutBody } from '../orders/inputs';
import { PaymentBody } from '../payments/inputs';
import { toFieldErrors } from './field-errors';
import { checkInput, invalidInput, problemsOf } from './validate';

const address = { name: 'Sam', line1: 'Main 1', city: 'Berlin', postcode: '10115', country: 'DE' };

describe('checkInput', () => {
  it('accepts a good body and drops properties the schema does not know', () => {
    const result = checkInput(CheckoutBody, {
      address: { ...address, extra: 1 },
      idempotencyKey: 'key-12345',
      _csrf: 'x',
    });
    expect(result).toEqual({ ok: true, value: { address, idempotencyKey: 'key-12345' } });
  });

  it('reports every bad field once, in words a form can show', () => {
    const result = checkInput(
      CheckoutBody,
      { address: { ...address, name: '   ', city: '', country: 'de' }, idempotencyKey: 'key-12345' },
      CHECKOUT_HINTS,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(toFieldErrors(result.problems)).toEqual({
      name: 'Required',
      city: 'Required',
      country: 'Two capital letters, e.g. DE',
    });
  });

  it('names missing fields and refuses operator objects where text belongs', () => {
    const result = checkInput(CheckoutBody, {
      address: { name: { $gt: '' }, line1: 'Main 1', city: 'Berlin', country: 'DE' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(toFieldErrors(result.problems)).sort()).toEqual([
      'idempotencyKey',
      'name',
      'postcode',
    ]);
  });

  it('refuses card details where only the payment key belongs (they go to the provider)', () => {
    const result = checkInput(PaymentBody, { idempotencyKey: 'key-12345', cardNumber: '4242424242424242' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(toFieldErrors(result.problems))).toEqual(['cardNumber']);
  });
});

describe('toFieldErrors', () => {
  it('maps API details by the last path segment, or by the property a required names', () => {
    expect(
      toFieldErrors([
        { path: '/address/postcode', message: 'bad' },
        { path: '', message: 'must have required property', params: { missingProperty: 'cvc' } },
        { path: '/address/postcode', message: 'second' },
        'junk',
      ]),
    ).toEqual({ postcode: 'bad', cvc: 'must have required property' });
    expect(toFieldErrors(undefined)).toEqual({});
  });
});

describe('invalidInput / problemsOf', () => {
  it('round-trips the problems through a 400 error', () => {
    const problems = [{ path: '/cvc', message: '3 or 4 digits' }];
    const error = invalidInput(problems);
    expect(error).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(problemsOf(error)).toEqual(problems);
    expect(problemsOf(new Error('x'))).toBeNull();
  });
});
