import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Traceparent } from './shared';

export const FULFILMENTS = 'fulfilments';

/** Stages of a fulfilment; Delivered, Cancelled, Expired and Failed are terminal. */
export const FULFILMENT_STAGE = {
  Placed: 'Placed',
  Reserved: 'Reserved',
  Backordered: 'Backordered',
  Picking: 'Picking',
  Shipped: 'Shipped',
  Delivered: 'Delivered',
  Cancelled: 'Cancelled',
  Expired: 'Expired',
  Failed: 'Failed',
} as const;
export type FulfilmentStage = (typeof FULFILMENT_STAGE)[keyof typeof FULFILMENT_STAGE];

export const TERMINAL_FULFILMENT_STAGES: readonly FulfilmentStage[] = [
  FULFILMENT_STAGE.Delivered,
  FULFILMENT_STAGE.Cancelled,
  FULFILMENT_STAGE.Expired,
  FULFILMENT_STAGE.Failed,
];

export const FulfilmentStageSchema = Type.Union([
  Type.Literal(FULFILMENT_STAGE.Placed),
  Type.Literal(FULFILMENT_STAGE.Reserved),
  Type.Literal(FULFILMENT_STAGE.Backordered),
  Type.Literal(FULFILMENT_STAGE.Picking),
  Type.Literal(FULFILMENT_STAGE.Shipped),
  Type.Literal(FULFILMENT_STAGE.Delivered),
  Type.Literal(FULFILMENT_STAGE.Cancelled),
  Type.Literal(FULFILMENT_STAGE.Expired),
  Type.Literal(FULFILMENT_STAGE.Failed),
]);

/** One product of the order (lines of the same product are added together) and whether it is held. */
export const FulfilmentLine = Type.Object({
  productId: Id,
  qty: Type.Integer({ minimum: 1 }),
  held: Type.Boolean(),
});
export type FulfilmentLine = Static<typeof FulfilmentLine>;

/** A payment that could not be used and must be given back. */
export const RefundDue = Type.Object({
  paymentId: Id,
  amount: Type.Integer(),
  currency: Type.String(),
  reason: Type.String(),
  at: DateTime,
});
export type RefundDue = Static<typeof RefundDue>;

/** One per order, owned by ordering; `_id` is the order id, `partition_key` the user id. */
export const FulfilmentDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  traceparent: Traceparent,
  orderId: Id,
  userId: Type.String(),
  warehouse: Type.String(),
  stage: FulfilmentStageSchema,
  lines: Type.Array(FulfilmentLine),
  /** The lines not yet held when the order went to Backordered: what the factory is asked to build. */
  shortLines: Type.Array(Type.Object({ productId: Id, qty: Type.Integer({ minimum: 1 }) })),
  total: Type.Integer(),
  currency: Type.String(),
  placedAt: DateTime,
  payBy: DateTime,
  paid: Type.Boolean(),
  paidAt: Type.Optional(DateTime),
  paymentId: Type.Optional(Id),
  pickingStartedAt: Type.Optional(DateTime),
  pickingEndsAt: Type.Optional(DateTime),
  shippedAt: Type.Optional(DateTime),
  deliverAt: Type.Optional(DateTime),
  deliveredAt: Type.Optional(DateTime),
  failure: Type.Optional(Type.Object({ reason: Type.String() })),
  refundsDue: Type.Array(RefundDue),
  cancellationRefused: Type.Optional(
    Type.Object({ cancellationId: Id, at: DateTime, reason: Type.String() }),
  ),
  /** Cancellations written for this order by another user than its own: refused, never applied. */
  foreignCancellationsRefused: Type.Optional(
    Type.Array(Type.Object({ cancellationId: Id, userId: Type.String(), at: DateTime })),
  ),
  /** Work left on `stock` after a transition: give the holds back, or take shipped units off the shelf. */
  stockPending: Type.Optional(Type.Union([Type.Literal('release'), Type.Literal('ship')])),
  history: Type.Array(
    Type.Object({ stage: FulfilmentStageSchema, at: DateTime, note: Type.Optional(Type.String()) }),
  ),
  version: Type.Integer({ minimum: 0 }),
});
export type FulfilmentDocument = Static<typeof FulfilmentDocument>;
