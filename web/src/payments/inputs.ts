import { type Static, Type } from 'typebox';
import type { FormatHints } from '../forms/validate';
import { IdempotencyKey } from '../orders/inputs';

/** Card fields are never taken here: the card is typed on the provider's page, never sent to this API. */
const NoCard = Type.Optional(
  Type.Never({ description: 'card details go to the payment provider, not here' }),
);

/**
 * Starting a payment takes only its idempotency key. The card fields are named to be refused (400):
 * Fastify's validator strips unknown properties, which would otherwise accept a card silently.
 */
export const PaymentBody = Type.Object(
  { idempotencyKey: IdempotencyKey, cardNumber: NoCard, expiry: NoCard, cvc: NoCard },
  { additionalProperties: false },
);
export type PaymentBody = Static<typeof PaymentBody>;

export const PAYMENT_HINTS: FormatHints = {
  idempotencyKey: 'Reload the page and try again',
  cardNumber: 'Card details are typed on the payment page',
  expiry: 'Card details are typed on the payment page',
  cvc: 'Card details are typed on the payment page',
};
