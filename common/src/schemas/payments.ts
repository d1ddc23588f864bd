import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Traceparent } from './shared';

export const PAYMENTS = 'payments';

/**
 * An attempt starts `pending` (the shopper is on the provider's page) and the provider's signed
 * webhooks move it forward only: `authorized` (the money is taken), `declined` (the attempt ended
 * without money; a late event saying the money was taken still makes it `authorized`), or
 * `duplicate` (the money is taken but another payment of the order was authorized first: ordering
 * records it as a refund due). Nothing moves back to `pending` or away from money taken.
 */
export const PaymentStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('authorized'),
  Type.Literal('declined'),
  Type.Literal('duplicate'),
]);
export type PaymentStatus = Static<typeof PaymentStatus>;

/** Statuses where the provider holds the shopper's money: ordering makes the order paid or owes a refund. */
export const MONEY_TAKEN_STATUSES: readonly PaymentStatus[] = ['authorized', 'duplicate'];

/** One payment attempt for an order, written by web; `partition_key` is the user id. */
export const PaymentDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  traceparent: Traceparent,
  orderId: Id,
  userId: Id,
  provider: Type.String({ minLength: 1 }),
  amount: Type.Integer({ minimum: 0 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  status: PaymentStatus,
  /** The provider's id of the attempt (a Stripe Checkout Session id). */
  providerReference: Type.Optional(Type.String()),
  /** The provider's page where the shopper pays (Stripe Checkout, or web's dev page). */
  redirectUrl: Type.Optional(Type.String()),
  /** What the provider refunds against (a Stripe PaymentIntent id), known once the money is taken. */
  providerPaymentId: Type.Optional(Type.String()),
  /** The last four digits of the card when the provider says them; never the full number. */
  cardLast4: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
  createdAt: DateTime,
  /** When a webhook last moved the status. */
  updatedAt: Type.Optional(DateTime),
});
export type PaymentDocument = Static<typeof PaymentDocument>;
