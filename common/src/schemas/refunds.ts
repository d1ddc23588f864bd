import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Traceparent } from './shared';

export const REFUNDS = 'refunds';

/**
 * A refund made through the provider for a fulfilment's `refundsDue` entry, written by web (ordering
 * owns `fulfilments` and only says a refund is due). `_id` is the payment id: a payment is refunded
 * at most once, whichever entry asked for it. `partition_key` is the user id.
 */
export const RefundDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  traceparent: Traceparent,
  orderId: Id,
  paymentId: Id,
  provider: Type.String({ minLength: 1 }),
  amount: Type.Integer({ minimum: 0 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  /** The provider's refund id. */
  providerRefundId: Type.String({ minLength: 1 }),
  /** As the provider reports it (`succeeded`, `pending`…). */
  status: Type.String({ minLength: 1 }),
  reason: Type.String(),
  refundedAt: DateTime,
});
export type RefundDocument = Static<typeof RefundDocument>;
