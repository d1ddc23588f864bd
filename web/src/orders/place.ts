import type { CartLine, DeliveryAddress, OrderDocument } from '@az-shop/common';
import type { Product } from '../products/product';
import { orderIdFor } from './ids';
import type { CheckoutBody } from './inputs';

export interface PlaceOrderInput {
  userId: string;
  lines: readonly CartLine[];
  /** The catalog's products of the cart's lines. */
  products: ReadonlyMap<string, Product>;
  checkout: CheckoutBody;
  now: Date;
  holdMinutes: number;
}

export type PlaceOrderResult = { ok: true; order: OrderDocument } | { ok: false; reason: string };

/** The delivery address as stored: trimmed, without an empty second line. */
export function toDeliveryAddress(address: CheckoutBody['address']): DeliveryAddress {
  const stored: DeliveryAddress = {
    name: address.name.trim(),
    line1: address.line1.trim(),
    city: address.city.trim(),
    postcode: address.postcode.trim(),
    country: address.country,
  };
  const line2 = address.line2?.trim();
  if (line2) stored.line2 = line2;
  return stored;
}

/**
 * The order a checkout writes, from the cart and the catalog's current prices (captured here, never
 * taken from the request). Refused when the cart is empty or names a product the catalog lost.
 */
export function placeOrder(input: PlaceOrderInput): PlaceOrderResult {
  const { userId, lines, products, checkout, now, holdMinutes } = input;
  if (lines.length === 0) return { ok: false, reason: 'Your cart is empty: there is nothing to order.' };
  const missing = lines.filter((line) => !products.has(line.productId));
  if (missing.length > 0)
    return { ok: false, reason: `No longer sold: ${missing.map((line) => line.productId).join(', ')}` };
  const priced = lines.map((line) => {
    const product = products.get(line.productId) as Product;
    return {
      productId: line.productId,
      qty: line.qty,
      unitPrice: product.price.amount,
      currency: product.price.currency,
    };
  });
  const currencies = new Set(priced.map((line) => line.currency));
  if (currencies.size > 1) return { ok: false, reason: 'The cart mixes currencies' };
  const [currency] = currencies as Set<string>;
  const order: OrderDocument = {
    _id: orderIdFor(userId, checkout.idempotencyKey),
    partition_key: userId,
    userId,
    lines: priced.map(({ productId, qty, unitPrice }) => ({ productId, qty, unitPrice })),
    currency: currency as string,
    total: priced.reduce((sum, line) => sum + line.qty * line.unitPrice, 0),
    deliveryAddress: toDeliveryAddress(checkout.address),
    placedAt: now,
    idempotencyKey: checkout.idempotencyKey,
    payBy: new Date(now.getTime() + Math.round(holdMinutes * 60_000)),
  };
  return { ok: true, order };
}
