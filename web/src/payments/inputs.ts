import { type Static, Type } from 'typebox';
import type { FormatHints } from '../forms/validate';
import { IdempotencyKey } from '../orders/inputs';

/** Starting a payment takes only its idempotency key: the card is typed on the provider's page. */
export const PaymentBody = Type.Object({ idempotencyKey: IdempotencyKey }, { additionalProperties: false });
export type PaymentBody = Static<typeof PaymentBody>;

export const PAYMENT_HINTS: FormatHints = {
  idempotencyKey: 'Reload the page and try again',
};
