import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey } from './shared';

export const PAYMENTS = 'payments';

export const PAYMENT_STATUS = { Authorized: 'authorized', Declined: 'declined' } as const;

export const PaymentStatus = Type.Union([Type.Literal('authorized'), Type.Literal('declined')]);
export type PaymentStatus = Static<typeof PaymentStatus>;

/** One payment attempt for an order, written by web; `partition_key` is the user id. */
export const PaymentDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  orderId: Id,
  userId: Id,
  provider: Type.String({ minLength: 1 }),
  amount: Type.Integer({ minimum: 0 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  status: PaymentStatus,
  providerReference: Type.Optional(Type.String()),
  /** The last four digits of the card, for the shopper's records; never the full number. */
  cardLast4: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
  createdAt: DateTime,
});
export type PaymentDocument = Static<typeof PaymentDocument>;
