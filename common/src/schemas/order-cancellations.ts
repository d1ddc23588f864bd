import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey } from './shared';

export const ORDER_CANCELLATIONS = 'order_cancellations';

/** A shopper's request to cancel an order, written by web; `partition_key` is the user id. */
export const OrderCancellationDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  orderId: Id,
  userId: Id,
  requestedAt: DateTime,
  reason: Type.Optional(Type.String()),
});
export type OrderCancellationDocument = Static<typeof OrderCancellationDocument>;
