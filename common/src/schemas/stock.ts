import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Traceparent } from './shared';

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
  traceparent: Traceparent,
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
  /**
   * Ids of factory_output documents added to onHand whose `stock_receipts` entry is not yet marked
   * applied and the id taken off here: the outputs in flight (docs/domain.md "The stock ledger").
   */
  appliedOutputs: Type.Array(Id),
  version: Type.Integer({ minimum: 0 }),
  updatedAt: Type.Optional(DateTime),
});
export type StockDocument = Static<typeof StockDocument>;

export const STOCK_RECEIPTS = 'stock_receipts';

export const STOCK_RECEIPT_STATE = { Pending: 'pending', Applied: 'applied' } as const;
export type StockReceiptState = (typeof STOCK_RECEIPT_STATE)[keyof typeof STOCK_RECEIPT_STATE];

/**
 * One per factory output that ordering has received, owned by ordering; `_id` is the output's id and
 * `partition_key` its product id (always the same for an output, so a repeat meets the duplicate key).
 * `applied` once its qty is in the ledger's onHand for good. Kept as long as the output is: it is what
 * makes a re-delivered output a no-op once the ledger has forgotten the id.
 */
export const StockReceiptDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  productId: Id,
  warehouse: Type.String({ minLength: 1 }),
  qty: Type.Integer({ minimum: 1 }),
  state: Type.Union([Type.Literal(STOCK_RECEIPT_STATE.Pending), Type.Literal(STOCK_RECEIPT_STATE.Applied)]),
  receivedAt: DateTime,
  appliedAt: Type.Optional(DateTime),
});
export type StockReceiptDocument = Static<typeof StockReceiptDocument>;
