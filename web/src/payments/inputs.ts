import { type Static, Type } from 'typebox';
import type { FormatHints } from '../forms/validate';
import { IdempotencyKey } from '../orders/inputs';

export const PaymentBody = Type.Object(
  {
    cardNumber: Type.String({ minLength: 1, maxLength: 23, pattern: '^[0-9 ]+$' }),
    expiry: Type.String({ minLength: 1, maxLength: 5, pattern: '^(0[1-9]|1[0-2])/[0-9]{2}$' }),
    cvc: Type.String({ minLength: 1, maxLength: 4, pattern: '^[0-9]{3,4}$' }),
    idempotencyKey: IdempotencyKey,
  },
  { additionalProperties: false },
);
export type PaymentBody = Static<typeof PaymentBody>;

export const PAYMENT_HINTS: FormatHints = {
  cardNumber: 'Digits and spaces only',
  expiry: 'Use MM/YY',
  cvc: '3 or 4 digits',
  idempotencyKey: 'Reload the page and try again',
};
