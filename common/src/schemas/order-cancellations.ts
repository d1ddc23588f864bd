import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Traceparent } from './shared';

export const ORDER_CANCELLATIONS = 'order_cancellations';

/**
 * A request to cancel an order, written by web; `partition_key` and `userId` are the order's user
 * (ordering refuses any other). A shopper asks for their own order; an admin asks for any order,
 * and `requestedBy` then names the admin (absent: the shopper asked).
 */
export const OrderCancellationDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  traceparent: Traceparent,
  orderId: Id,
  userId: Id,
  requestedAt: DateTime,
  reason: Type.Optional(Type.String()),
  requestedBy: Type.Optional(
    Type.Object({
      by: Type.Literal('admin'),
      sub: Type.String({ minLength: 1 }),
      email: Type.Optional(Type.String()),
      name: Type.Optional(Type.String()),
    }),
  ),
});
export type OrderCancellationDocument = Static<typeof OrderCancellationDocument>;
