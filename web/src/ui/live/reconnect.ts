import { backoffDelay } from '@az-shop/common/backoff';

/** First wait before reopening a dropped event stream, and the longest wait. */
export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;

/**
 * How long to wait before reconnection attempt `attempt` (0 for the first): doubling from a second
 * up to 30 s, with jitter (half to all of it) so that many pages do not come back in step after a
 * restart. `random` is Math.random unless a test passes its own.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  return backoffDelay(attempt + 1, RECONNECT_BASE_MS, RECONNECT_MAX_MS, random);
}
