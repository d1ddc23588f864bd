import { randomFillSync } from 'node:crypto';

/**
 * Random bytes from the system's CSPRNG drawn a batch at a time: one `getrandom` call per `size`
 * bytes instead of one per draw (Node's `randomUUID` keeps a cache the same way). Every byte is
 * handed out once; a draw larger than the pool is refused.
 */
export function randomPool(size = 4096): (bytes: number) => string {
  const pool = Buffer.allocUnsafe(size);
  let offset = size;
  /** `bytes` fresh random bytes, base64-encoded. */
  return (bytes) => {
    if (bytes > size) throw new RangeError(`a draw of ${bytes} bytes from a pool of ${size}`);
    if (offset + bytes > size) {
      randomFillSync(pool);
      offset = 0;
    }
    const drawn = pool.toString('base64', offset, offset + bytes);
    offset += bytes;
    return drawn;
  };
}
