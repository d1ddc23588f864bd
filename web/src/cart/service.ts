import {
  CARTS,
  type CartDocument,
  type CartLine,
  changeVersioned,
  Errors,
  expiryFields,
  notExpired,
} from '@az-shop/common';
import type { Db } from 'mongodb';
import type { ProductRepository } from '../products/repository';
import type { CartView } from '../ui/data';
import {
  addLine,
  cartExpiry,
  type LineChange,
  mergeLines,
  removeLine,
  setLine,
  withoutOrdered,
} from './rules';
import { emptyCartView, toCartView } from './view';

/** Carts by id (`user:<sub>` / `anon:<id>`, see ./rules.ts); every change is one conditional write. */
export interface CartService {
  /** The stored cart, or null when there is none yet. */
  find(cartId: string): Promise<CartDocument | null>;
  view(cartId: string | null): Promise<CartView>;
  /**
   * Σ qty of the cart's lines: what the header shows on every page, read without the catalog. A cached
   * count (cached-counts.ts) must have been read after `readAfter`, the visitor's last write.
   */
  count(cartId: string | null, readAfter?: number): Promise<number>;
  /** Adds to the product's line; unknown product 404, a full cart or another currency 409. */
  add(cartId: string, productId: string, qty: number): Promise<CartView>;
  /** Sets the product's quantity (0 removes it). */
  set(cartId: string, productId: string, qty: number): Promise<CartView>;
  remove(cartId: string, productId: string): Promise<CartView>;
  /** Takes what was ordered out of the cart; lines added meanwhile stay. */
  removeOrdered(cartId: string, ordered: readonly { productId: string; qty: number }[]): Promise<void>;
  /** Adds the `from` cart's lines to the `to` cart and deletes `from` (sign-in). */
  merge(fromId: string, toId: string): Promise<void>;
}

export interface CartServiceOptions {
  /** How long an anonymous cart outlives its last change (see cartExpiry). */
  anonymousCartMs: number;
  now?: () => Date;
}

export function cartService(
  db: Db,
  products: ProductRepository,
  { anonymousCartMs, now = () => new Date() }: CartServiceOptions,
): CartService {
  const carts = db.collection<CartDocument>(CARTS);
  /** A cart past its `expiresAt` is gone, even before the TTL monitor deletes it. */
  const live = (cartId: string) => ({ _id: cartId, ...notExpired(now()) });

  async function view(cart: Pick<CartDocument, 'lines' | 'currency'> | null): Promise<CartView> {
    if (!cart || cart.lines.length === 0) return emptyCartView(cart?.currency);
    const catalog = await products.findByIds(cart.lines.map((line) => line.productId));
    return toCartView(cart.lines, cart.currency, catalog);
  }

  function stored(cartId: string, lines: CartLine[], currency: string): Omit<CartDocument, 'version'> {
    const updatedAt = now();
    const expiresAt = cartExpiry(cartId, updatedAt, anonymousCartMs);
    return {
      _id: cartId,
      partition_key: cartId,
      lines,
      currency,
      updatedAt,
      // Anonymous carts only; a replace without them leaves none (a user's cart never expires).
      ...(expiresAt && expiryFields(expiresAt, updatedAt)),
    };
  }

  /** One change to one line, priced from the catalog. */
  async function changeLine(
    cartId: string,
    productId: string,
    rule: (lines: readonly CartLine[], unitPrice: number) => LineChange,
  ): Promise<CartView> {
    const product = await products.findById(productId);
    if (!product) throw new Errors.NotFound('Product');
    const { amount, currency } = product.price;
    const cart = await changeVersioned<CartDocument, Pick<CartDocument, 'lines' | 'currency'>>(
      carts,
      cartId,
      (current) => {
        const lines = current?.lines ?? [];
        if (current && lines.length > 0 && current.currency !== currency)
          throw new Errors.Conflict(
            `This cart is in ${current.currency}; the product is priced in ${currency}`,
          );
        const change = rule(lines, amount);
        if (!change.ok) throw new Errors.Conflict('The cart is full; remove a product first');
        const next = stored(
          cartId,
          change.lines,
          change.lines.length > 0 ? currency : (current?.currency ?? currency),
        );
        return { result: next, next };
      },
    );
    return view(cart);
  }

  const service: CartService = {
    find: (cartId) => carts.findOne(live(cartId)),
    view: async (cartId) => view(cartId ? await carts.findOne(live(cartId)) : null),
    count: async (cartId) => {
      if (!cartId) return 0;
      const cart = await carts.findOne(live(cartId), { projection: { 'lines.qty': 1 } });
      return cart?.lines.reduce((sum, line) => sum + line.qty, 0) ?? 0;
    },
    add: (cartId, productId, qty) =>
      changeLine(cartId, productId, (lines, price) => addLine(lines, productId, qty, price)),
    set: async (cartId, productId, qty) => {
      if (qty === 0) return service.remove(cartId, productId);
      return changeLine(cartId, productId, (lines, price) => setLine(lines, productId, qty, price));
    },
    async remove(cartId, productId) {
      const cart = await changeVersioned<CartDocument, Pick<CartDocument, 'lines' | 'currency'> | null>(
        carts,
        cartId,
        (current) => {
          if (!current?.lines.some((line) => line.productId === productId)) return { result: current };
          const next = stored(cartId, removeLine(current.lines, productId), current.currency);
          return { result: next, next };
        },
      );
      return view(cart);
    },
    async removeOrdered(cartId, ordered) {
      await changeVersioned<CartDocument, void>(carts, cartId, (current) => {
        if (!current) return { result: undefined };
        return {
          result: undefined,
          next: stored(cartId, withoutOrdered(current.lines, ordered), current.currency),
        };
      });
    },
    async merge(fromId, toId) {
      const from = await carts.findOne(live(fromId));
      if (from && from.lines.length > 0) {
        await changeVersioned<CartDocument, void>(carts, toId, (current) => {
          // A user's cart in another currency keeps its own lines; the anonymous ones are dropped.
          if (current && current.lines.length > 0 && current.currency !== from.currency)
            return { result: undefined };
          const lines = mergeLines(current?.lines ?? [], from.lines);
          return {
            result: undefined,
            next: stored(toId, lines, current?.lines.length ? current.currency : from.currency),
          };
        });
      }
      await carts.deleteOne({ _id: fromId });
    },
  };
  return service;
}
