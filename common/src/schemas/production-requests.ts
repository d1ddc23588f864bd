import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Quantity } from './shared';

export const PRODUCTION_REQUESTS = 'production_requests';

/** The back office asks the factory for stock, written by web; `partition_key` is the product id. */
export const ProductionRequestDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  productId: Id,
  warehouse: Type.String({ minLength: 1 }),
  qty: Quantity,
  requestedAt: DateTime,
  requestedBy: Type.Optional(Type.String()),
});
export type ProductionRequestDocument = Static<typeof ProductionRequestDocument>;
