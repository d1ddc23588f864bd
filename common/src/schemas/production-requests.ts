import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Quantity, Traceparent } from './shared';

export const PRODUCTION_REQUESTS = 'production_requests';

/** The back office asks the factory for stock, written by web; `partition_key` is the product id. */
export const ProductionRequestDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  traceparent: Traceparent,
  productId: Id,
  warehouse: Type.String({ minLength: 1 }),
  qty: Quantity,
  requestedAt: DateTime,
  requestedBy: Type.Optional(Type.String()),
  /**
   * The back office asked to cancel it (web writes only its own request); the factory cancels the
   * request's work item if its build has not started, else records the refusal on the work item.
   */
  cancelRequestedAt: Type.Optional(DateTime),
  cancelRequestedBy: Type.Optional(Type.String()),
});
export type ProductionRequestDocument = Static<typeof ProductionRequestDocument>;
