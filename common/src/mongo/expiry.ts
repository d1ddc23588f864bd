import type { Collection, Document } from 'mongodb';
import type { MongoFlavour } from './flavour';
import { isThrottled } from './throttling';

/**
 * Documents that expire, the one way for both flavours (docs/processor.md, Cosmos mode, "TTL").
 * MongoDB (and Cosmos DB vCore) expire them by a TTL index on a date field. Cosmos DB RU expires only
 * through a TTL index on its system field `_ts` (the document's last write time) and a per-document
 * root-level `ttl` (whole seconds counted from `_ts`). So an expiring document carries both its date
 * and a `ttl`, and since every write resets `_ts`, every write of it carries `ttl` afresh.
 */

/** Cosmos DB's largest `ttl` (int32 seconds). */
const MAX_TTL_SECONDS = 2_147_483_647;

/**
 * The `ttl` of a document written at `now` that must go at `expiresAt`: whole seconds, rounded up,
 * at least 1 (0 is not a valid `ttl` and -1 means never), at most an int32.
 */
export function ttlUntil(expiresAt: Date, now: Date): number {
  const seconds = Math.ceil((expiresAt.getTime() - now.getTime()) / 1000);
  return Math.min(MAX_TTL_SECONDS, Math.max(1, seconds));
}

/** The fields a write of a document that expires at `expiresAt` carries (pure). */
export function expiryFields(expiresAt: Date, now: Date): { expiresAt: Date; ttl: number } {
  return { expiresAt, ttl: ttlUntil(expiresAt, now) };
}

/**
 * Reads that must not see a document whose `expiresAt` has passed: the TTL monitor deletes it later
 * (mongod: within a minute), Cosmos DB hides it at once. Documents without `expiresAt` never expire.
 */
export function notExpired(now: Date) {
  return { $or: [{ expiresAt: { $exists: false } }, { expiresAt: { $gt: now } }] };
}

export interface ExpiryIndex {
  /** The index on the date field (MongoDB's TTL index). */
  name: string;
  /** The date field documents expire by. */
  field: string;
  /** Seconds after the field's date (MongoDB's expireAfterSeconds). Default 0. */
  afterSeconds?: number;
}

/** The RU API's TTL index: on, with no default (-1), so only documents with a `ttl` expire. */
const COSMOS_TTL_INDEX = { key: { _ts: 1 }, name: 'expire_by_ttl', expireAfterSeconds: -1 };

/**
 * Creates the indexes that expire documents of `collection`: in mongo mode the TTL index on the
 * field; in cosmos mode also the `_ts` index for the RU API. The RU API refuses a TTL index on a
 * field (BadValue, "supported on '_ts' field only") and MongoDB-compatible vCore may refuse a
 * negative expireAfterSeconds, so in cosmos mode one of the two may be refused, never both.
 */
export async function ensureExpiryIndex<T extends Document>(
  collection: Collection<T>,
  { name, field, afterSeconds = 0 }: ExpiryIndex,
  flavour: MongoFlavour,
): Promise<void> {
  const byField = () => collection.createIndex({ [field]: 1 }, { name, expireAfterSeconds: afterSeconds });
  if (flavour === 'mongo') {
    await byField();
    return;
  }
  const { key, ...options } = COSMOS_TTL_INDEX;
  const results = await Promise.allSettled([byField(), collection.createIndex(key, options)]);
  const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  // Throttling is retried by the caller; one refusal is the other API's answer; two are an error.
  const throttled = refusals.find(isThrottled);
  if (throttled) throw throttled;
  if (refusals.length === results.length) throw refusals[0];
}
