import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey } from './shared';

export const STOCK = 'stock';

export function stockId(warehouse: string, productId: string): string {
  return `${warehouse}:${productId}`;
}

/** Units of this product held for one fulfilment. */
export const StockHold = Type.Object({ fulfilmentId: Id, qty: Type.Integer({ minimum: 1 }) });
export type StockHold = Static<typeof StockHold>;

/** A fulfilment line waiting for units, first come first served. */
export const StockWaiter = Type.Object({
  fulfilmentId: Id,
  qty: Type.Integer({ minimum: 1 }),
  since: DateTime,
});
export type StockWaiter = Static<typeof StockWaiter>;

/**
 * Per product and warehouse, owned by ordering; `partition_key` is the product id. The document is
 * the ledger of its product: holds and the backorder queue live here, so every change is one
 * conditional single-document write (`version`). Invariants: available = onHand − reserved ≥ 0,
 * reserved = Σ holds.qty.
 */
export const StockDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  productId: Id,
  warehouse: Type.String(),
  onHand: Type.Integer({ minimum: 0 }),
  reserved: Type.Integer({ minimum: 0 }),
  available: Type.Integer({ minimum: 0 }),
  /** Σ units shipped from here (onHand = Σ outputs applied − shipped). */
  shipped: Type.Integer({ minimum: 0 }),
  holds: Type.Array(StockHold),
  waiting: Type.Array(StockWaiter),
  /** Fulfilments given units from the queue whose fulfilment document has not yet been told (an outbox). */
  toNotify: Type.Array(Id),
  /** Ids of factory_output documents already added to onHand (the applied-markers). */
  appliedOutputs: Type.Array(Id),
  version: Type.Integer({ minimum: 0 }),
  updatedAt: Type.Optional(DateTime),
});
export type StockDocument = Static<typeof StockDocument>;
