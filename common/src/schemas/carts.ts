import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Quantity } from './shared';

export const CARTS = 'carts';

/** Distinct products one cart may hold. */
export const MAX_CART_LINES = 50;

/** A product in a cart; the price is the catalog's at the time it was added (shown, not charged). */
export const CartLine = Type.Object({
  productId: Id,
  qty: Quantity,
  unitPrice: Type.Integer({ minimum: 0 }),
});
export type CartLine = Static<typeof CartLine>;

/**
 * A shopper's cart, owned by web. `_id` and `partition_key` are the owner: `user:<sub>` once signed
 * in, `anon:<random id>` before (the id lives in the sealed session). At sign-in the anonymous cart
 * is merged into the user's and deleted. `version` makes every change one conditional write.
 */
export const CartDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  lines: Type.Array(CartLine, { maxItems: MAX_CART_LINES }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  version: Type.Integer({ minimum: 0 }),
  updatedAt: DateTime,
  /** Anonymous carts only: when the TTL index deletes the cart (its last change + the retention). */
  expiresAt: Type.Optional(DateTime),
  /** With `expiresAt`: whole seconds from this write to it (Cosmos DB RU's TTL, common/src/mongo/expiry.ts). */
  ttl: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type CartDocument = Static<typeof CartDocument>;
