import { type Document, Timestamp } from 'mongodb';
import type { StreamStart } from './stream-source';
import type { StreamPosition } from './types';

/** Orders cluster times: (seconds, increment). */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.t === b.t ? a.i - b.i : a.t - b.t;
}

/**
 * Where to reopen a stream so that no bucket of `positions` misses an event. One position: after its
 * token (exact, works everywhere). Several (one stream serving several buckets' checkpoints): at the
 * oldest cluster time, inclusive (re-delivering that event is fine). Undefined when some position
 * can not be ordered (no cluster time) or there is none: the caller falls back to catch-up.
 */
export function startFor(positions: StreamPosition[]): StreamStart | undefined {
  if (positions.length === 0) return undefined;
  if (positions.length === 1) {
    const [only] = positions as [StreamPosition];
    if (only.token) return { resumeAfter: only.token };
    if (only.clusterTime) return { startAtOperationTime: only.clusterTime };
    return undefined;
  }
  const oldest = oldestClusterTime(positions);
  return oldest ? { startAtOperationTime: oldest } : undefined;
}

/** The oldest cluster time of `positions`; undefined when there is none or one has none (unordered). */
export function oldestClusterTime(positions: StreamPosition[]): Timestamp | undefined {
  let oldest: Timestamp | undefined;
  for (const position of positions) {
    if (!position.clusterTime) return undefined;
    if (!oldest || compareTimestamps(position.clusterTime, oldest) < 0) oldest = position.clusterTime;
  }
  return oldest;
}

/** True when a position is worth saving (it can be resumed from). */
export function isResumable(position: StreamPosition | undefined): position is StreamPosition {
  return position !== undefined && (position.token !== undefined || position.clusterTime !== undefined);
}

/**
 * The cluster time a MongoDB resume token starts with: its `_data` is a hex KeyString whose first value
 * is the event's (or the post-batch position's) timestamp, type byte 0x82 then 8 bytes big-endian
 * (seconds, increment). Undefined for tokens of another shape (Cosmos DB's).
 */
export function clusterTimeOfToken(token: unknown): Timestamp | undefined {
  const data = (token as Document | null | undefined)?._data;
  if (typeof data !== 'string' || !/^82[0-9a-fA-F]{16}/.test(data)) return undefined;
  return new Timestamp({
    t: Number.parseInt(data.slice(2, 10), 16),
    i: Number.parseInt(data.slice(10, 18), 16),
  });
}
