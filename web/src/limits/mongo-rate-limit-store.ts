import {
  ensureExpiryIndex,
  expiryFields,
  isDuplicateKey,
  type MongoFlavour,
  retryThrottled,
} from '@az-shop/common';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Collection, Db } from 'mongodb';

/** Web's own collection of rate-limit counters: one document per key and fixed window. */
export const RATE_LIMITS = 'rate_limits';

interface RateLimitCounter {
  /** `<key>@<window start in ms>`. */
  _id: string;
  count: number;
  /** The window's end; the TTL index deletes the counter then. */
  expiresAt: Date;
  /** Seconds from the last write to `expiresAt` (Cosmos DB's TTL, common/src/mongo/expiry.ts). */
  ttl: number;
}

type Result = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Result) => void;

/** The window `now` falls in: fixed windows aligned on multiples of `timeWindow`. */
function windowOf(now: number, timeWindow: number): { start: number; end: number } {
  const start = Math.floor(now / timeWindow) * timeWindow;
  return { start, end: start + timeWindow };
}

/** The counters' TTL index: a window's counter disappears once the window has ended. */
export async function ensureRateLimitIndexes(db: Db, flavour: MongoFlavour): Promise<void> {
  await retryThrottled('prepare', () =>
    ensureExpiryIndex(
      db.collection<RateLimitCounter>(RATE_LIMITS),
      { name: 'expire_at_window_end', field: 'expiresAt' },
      flavour,
    ),
  );
}

/**
 * A `@fastify/rate-limit` store in MongoDB, so every web instance counts against the same limit:
 * each request is one atomic `$inc` with upsert on its key's current window. Fixed windows (not
 * sliding): at a window's edge a client may get up to 2 × max in a short burst, which these limits
 * (abuse brakes, not quotas) accept for one write per request.
 */
export function mongoRateLimitStore(db: Db): FastifyRateLimitStoreCtor {
  const counters: Collection<RateLimitCounter> = db.collection<RateLimitCounter>(RATE_LIMITS);

  async function increment(key: string, timeWindow: number): Promise<Result> {
    const at = Date.now();
    const { start, end } = windowOf(at, timeWindow);
    const filter = { _id: `${key}@${start}` };
    // Every $inc is a write, so it carries the window's expiry afresh (`ttl` counts from the last write).
    const update = { $inc: { count: 1 }, $set: expiryFields(new Date(end), new Date(at)) };
    let counter: RateLimitCounter | null;
    try {
      counter = await counters.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' });
    } catch (error) {
      // Two first requests of a window raced to insert the counter: the other one did, so $inc it.
      if (!isDuplicateKey(error)) throw error;
      counter = await counters.findOneAndUpdate(filter, update, { returnDocument: 'after' });
    }
    return { current: counter?.count ?? 1, ttl: end - at };
  }

  // The plugin calls the store with callbacks; keys already name their limit, so children share it.
  return class MongoRateLimitStore implements FastifyRateLimitStore {
    incr(key: string, callback: Callback, timeWindow: number): void {
      increment(key, timeWindow).then((result) => callback(null, result), callback);
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}
