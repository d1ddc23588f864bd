/**
 * Partition buckets: a stable hash of `partition_key` picks one of N buckets. Leases and per-bucket
 * checkpoints work on buckets, so the hash must never change between releases (FNV-1a 32-bit).
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-8 bytes of `text`, as an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  const bytes = new TextEncoder().encode(text);
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
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
  return fnv1a32(partitionKeyText(key)) % buckets;
}
