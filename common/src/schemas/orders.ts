import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Quantity, Traceparent } from './shared';

export const ORDERS = 'orders';

export const OrderLine = Type.Object({
  productId: Id,
  qty: Quantity,
  /** Price per unit captured at checkout, in minor units. */
  unitPrice: Type.Integer({ minimum: 0 }),
});
export type OrderLine = Static<typeof OrderLine>;

export const DeliveryAddress = Type.Object({
  name: Type.String({ minLength: 1 }),
  line1: Type.String({ minLength: 1 }),
  line2: Type.Optional(Type.String()),
  city: Type.String({ minLength: 1 }),
  postcode: Type.String({ minLength: 1 }),
  country: Type.String({ minLength: 2 }),
});
export type DeliveryAddress = Static<typeof DeliveryAddress>;

/** A placed order, written once by web at checkout and never updated; `partition_key` is the user id. */
export const OrderDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  traceparent: Traceparent,
  userId: Id,
  lines: Type.Array(OrderLine, { minItems: 1 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  /** Σ qty × unitPrice, in minor units. */
  total: Type.Integer({ minimum: 0 }),
  deliveryAddress: Type.Optional(DeliveryAddress),
  placedAt: DateTime,
  /** Idempotency key of the checkout request that wrote it. */
  idempotencyKey: Type.Optional(Type.String()),
  /** Warehouse to serve it from; the ordering service's WAREHOUSE when absent. */
  warehouse: Type.Optional(Type.String({ minLength: 1 })),
  /** Deadline for payment; placedAt + HOLD_MINUTES when absent. */
  payBy: Type.Optional(DateTime),
});
export type OrderDocument = Static<typeof OrderDocument>;
