import { type CartLine, MAX_CART_LINES, MAX_LINE_QTY } from '@az-shop/common';

/**
 * The cart's pure rules: lines change by adding or setting a quantity, capped at MAX_LINE_QTY per
 * product and MAX_CART_LINES products. The I/O layer reads the cart, applies one rule, writes.
 */

export type CartOwner = { kind: 'user'; sub: string } | { kind: 'anonymous'; id: string };

/** `_id` and partition key of a cart: `user:<sub>` or `anon:<id>`. */
export function cartId(owner: CartOwner): string {
  return owner.kind === 'user' ? `user:${owner.sub}` : `anon:${owner.id}`;
}

/**
 * When an untouched cart is deleted: anonymous carts `anonymousCartMs` after their last change (a
 * visitor who never comes back leaves nothing behind); a user's cart never (undefined).
 */
export function cartExpiry(id: string, updatedAt: Date, anonymousCartMs: number): Date | undefined {
  return id.startsWith('anon:') ? new Date(updatedAt.getTime() + anonymousCartMs) : undefined;
}

export type LineChange = { ok: true; lines: CartLine[] } | { ok: false; reason: 'too-many-lines' };

/** Adds `qty` to the product's line (the catalog's current price), creating it at the end. */
export function addLine(
  lines: readonly CartLine[],
  productId: string,
  qty: number,
  unitPrice: number,
): LineChange {
  const existing = lines.find((line) => line.productId === productId);
  if (existing) {
    const total = Math.min(MAX_LINE_QTY, existing.qty + qty);
    return {
      ok: true,
      lines: lines.map((line) => (line === existing ? { productId, qty: total, unitPrice } : line)),
    };
  }
  if (lines.length >= MAX_CART_LINES) return { ok: false, reason: 'too-many-lines' };
  return { ok: true, lines: [...lines, { productId, qty: Math.min(MAX_LINE_QTY, qty), unitPrice }] };
}

/** Sets the product's quantity; 0 removes the line, a product not in the cart is added. */
export function setLine(
  lines: readonly CartLine[],
  productId: string,
  qty: number,
  unitPrice: number,
): LineChange {
  if (qty <= 0) return { ok: true, lines: removeLine(lines, productId) };
  const capped = Math.min(MAX_LINE_QTY, qty);
  if (!lines.some((line) => line.productId === productId))
    return addLine(lines, productId, capped, unitPrice);
  return {
    ok: true,
    lines: lines.map((line) => (line.productId === productId ? { productId, qty: capped, unitPrice } : line)),
  };
}

export function removeLine(lines: readonly CartLine[], productId: string): CartLine[] {
  return lines.filter((line) => line.productId !== productId);
}

/**
 * The signed-in cart after sign-in: the anonymous lines are added to the user's (quantities summed,
 * capped); products beyond MAX_CART_LINES are dropped, the user's own lines first.
 */
export function mergeLines(userLines: readonly CartLine[], anonymousLines: readonly CartLine[]): CartLine[] {
  let merged = [...userLines];
  for (const line of anonymousLines) {
    const change = addLine(merged, line.productId, line.qty, line.unitPrice);
    if (change.ok) merged = change.lines;
  }
  return merged;
}

/** What stays in the cart after an order of `ordered` was placed from it (lines added since stay). */
export function withoutOrdered(
  lines: readonly CartLine[],
  ordered: readonly { productId: string; qty: number }[],
): CartLine[] {
  const orderedQty = new Map<string, number>();
  for (const line of ordered)
    orderedQty.set(line.productId, (orderedQty.get(line.productId) ?? 0) + line.qty);
  return lines
    .map((line) => ({ ...line, qty: line.qty - (orderedQty.get(line.productId) ?? 0) }))
    .filter((line) => line.qty > 0);
}
