import { randomFillSync } from 'node:crypto';

export interface RandomPool {
  /** `count` fresh random bytes, base64-encoded. */
  base64(count: number): string;
  /** `count` fresh random bytes, in a buffer of their own. */
  bytes(count: number): Buffer;
}

/**
 * Random bytes from the system's CSPRNG drawn a batch at a time: one `getrandom` call per `size`
 * bytes instead of one per draw (Node's `randomUUID` keeps a cache the same way). Every byte is
 * handed out once; a draw larger than the pool is refused.
 */
export function randomPool(size = 4096): RandomPool {
  const pool = Buffer.allocUnsafe(size);
  let offset = size;
  /** Where the next `count` bytes start, refilling the pool when fewer are left. */
  const take = (count: number): number => {
    if (count > size) throw new RangeError(`a draw of ${count} bytes from a pool of ${size}`);
    if (offset + count > size) {
      randomFillSync(pool);
      offset = 0;
    }
    const start = offset;
    offset += count;
    return start;
  };
  return {
    base64(count) {
      const start = take(count);
      return pool.toString('base64', start, start + count);
    },
    bytes(count) {
      const start = take(count);
      return Buffer.from(pool.subarray(start, start + count));
    },
  };
}
