/**
 * Partition buckets: the bucket of a partition key is MongoDB's hashed-index hash of its canonical text
 * (`$toHashedIndexKey`), modulo the number of buckets. The same function runs on the server, so a
 * change stream can be filtered to the buckets one instance holds (bucket-filter.ts). Leases and
 * per-bucket checkpoints work on buckets, so the function must not change between releases: it is
 * named by BUCKETING, stored with every checkpoint (see checkpoints.ts for what a change does).
 */
import { createHash } from 'node:crypto';

/** Names the bucket function; stored with checkpoints. */
export const BUCKETING = 'hashed-text';

/**
 * MongoDB's hashed-index key of a string (BSONElementHasher::hash64, seed 0): MD5 over the seed, the
 * string's canonical BSON type (15) and its BSON value (int32 length with the NUL, UTF-8 bytes, NUL),
 * the first 8 digest bytes as a little-endian int64.
 */
export function hashedIndexKeyOfText(text: string): bigint {
  const utf8 = Buffer.from(text, 'utf8');
  const input = Buffer.alloc(12 + utf8.length + 1);
  input.writeInt32LE(0, 0); // seed
  input.writeInt32LE(15, 4); // canonical type of a string
  input.writeInt32LE(utf8.length + 1, 8);
  utf8.copy(input, 12);
  return createHash('md5').update(input).digest().readBigInt64LE(0);
}

/** A canonical text for a partition key value: strings as-is, ObjectIds as hex, anything else as JSON. */
export function partitionKeyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key === null || key === undefined) return '';
  if (typeof key === 'object' && typeof (key as { toHexString?: unknown }).toHexString === 'function') {
    return (key as { toHexString(): string }).toHexString();
  }
  if (typeof key === 'bigint') return key.toString();
  return JSON.stringify(key) ?? String(key);
}

/** The bucket (0..buckets-1) of a partition key. */
export function bucketOf(key: unknown, buckets: number): number {
  const remainder = hashedIndexKeyOfText(partitionKeyText(key)) % BigInt(buckets);
  return Number(remainder < 0n ? remainder + BigInt(buckets) : remainder);
}
