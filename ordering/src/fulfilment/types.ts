import type { FulfilmentDocument, FulfilmentLine, RefundDue } from '@az-shop/common/schemas';

export {
  FULFILMENT_STAGE,
  type FulfilmentStage,
  TERMINAL_FULFILMENT_STAGES,
} from '@az-shop/common/schemas';

/** The decider's state: the fulfilment as stored, without the storage fields. */
export type Fulfilment = Omit<FulfilmentDocument, 'partition_key' | 'version'>;

/** `null` until the order is placed. */
export type FulfilmentState = Fulfilment | null;

export interface PlacedOrder {
  orderId: string;
  userId: string;
  /** The order document's shard key: must be its user. */
  partitionKey: string;
  warehouse: string;
  /** As written by web: `unitPrice` is the price per unit captured at checkout, in minor units. */
  lines: { productId: string; qty: number; unitPrice: number }[];
  total: number;
  currency: string;
  placedAt: Date;
  payBy?: Date;
}

/** A product's price in the catalog now, and when the product last changed (when known). */
export interface CatalogPrice {
  amount: number;
  currency: string;
  updatedAt?: Date;
}

export type FulfilmentCommand =
  | {
      type: 'PlaceOrder';
      order: PlacedOrder;
      holdMinutes: number;
      /** Why the order document cannot be served (bad document, unknown product), found by the I/O layer. */
      problem?: string;
      /** The catalog's price of each of the order's products found (read by the I/O layer). */
      catalog: Readonly<Record<string, CatalogPrice>>;
    }
  | {
      /** The outcome of reserving every line on `stock` (done by the I/O layer, rules in ../stock). */
      type: 'RecordAllocation';
      heldProductIds: string[];
    }
  | { type: 'AllocateLine'; productId: string }
  | {
      type: 'AuthorizePayment';
      paymentId: string;
      amount: number;
      currency: string;
      status: string;
      /** The payment document's `userId` and `partition_key`: both must be the order's user. */
      userId: string;
      partitionKey: string;
    }
  | {
      type: 'RequestCancellation';
      cancellationId: string;
      /** The cancellation document's `userId` and `partition_key`: both must be the order's user. */
      userId: string;
      partitionKey: string;
    }
  | { type: 'Expire' }
  | { type: 'StartPicking'; pickingSeconds: number; capacityClaimed: boolean }
  | { type: 'Ship'; deliverySeconds: number }
  | { type: 'Deliver' }
  | { type: 'SettleStock' };

export type FulfilmentEvent =
  | {
      type: 'FulfilmentPlaced';
      orderId: string;
      userId: string;
      warehouse: string;
      lines: FulfilmentLine[];
      total: number;
      currency: string;
      placedAt: Date;
      payBy: Date;
      at: Date;
    }
  | { type: 'FulfilmentFailed'; reason: string; at: Date }
  | { type: 'LineHeld'; productId: string; at: Date }
  | { type: 'FulfilmentReserved'; at: Date }
  | { type: 'FulfilmentBackordered'; shortLines: { productId: string; qty: number }[]; at: Date }
  | { type: 'PaymentAccepted'; paymentId: string; at: Date }
  | { type: 'RefundDue'; refund: RefundDue }
  | { type: 'FulfilmentCancelled'; cancellationId: string; at: Date }
  | { type: 'CancellationRefused'; cancellationId: string; reason: string; at: Date }
  | { type: 'ForeignCancellationRefused'; cancellationId: string; userId: string; at: Date }
  | { type: 'FulfilmentExpired'; at: Date }
  | { type: 'PickingStarted'; at: Date; endsAt: Date }
  | { type: 'FulfilmentShipped'; at: Date; deliverAt: Date }
  | { type: 'FulfilmentDelivered'; at: Date }
  | { type: 'StockSettled'; at: Date };

export { type Decision, isRejection, REJECTION, type Rejection, reject } from '@az-shop/common/decider';
