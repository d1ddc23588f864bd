import { createHash } from 'node:crypto';

/** 22 base64url characters (132 bits) of sha256: unique enough, and short in URLs. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** The order a checkout places: the same user and idempotency key always give the same id. */
export function orderIdFor(userId: string, idempotencyKey: string): string {
  return `o_${digest(`${userId}:${idempotencyKey}`)}`;
}

/** One payment attempt per order and idempotency key. */
export function paymentIdFor(orderId: string, idempotencyKey: string): string {
  return `p_${digest(`${orderId}:${idempotencyKey}`)}`;
}

/** One cancellation request per order. */
export function cancellationIdFor(orderId: string): string {
  return `c_${orderId}`;
}
