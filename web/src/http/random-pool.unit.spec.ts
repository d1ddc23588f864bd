import { describe, expect, it } from 'vitest';
import { randomPool } from './random-pool';

describe('randomPool', () => {
  it('given draws across several refills, then each is its size and none repeats', () => {
    const pool = randomPool(100);
    const drawn = Array.from({ length: 1000 }, (_, i) =>
      i % 2 ? pool.base64(32) : pool.bytes(32).toString('base64'),
    );
    for (const value of drawn) expect(Buffer.from(value, 'base64')).toHaveLength(32);
    expect(new Set(drawn).size).toBe(drawn.length);
  });

  it('given bytes drawn, when the pool refills, then the drawn buffer keeps its bytes', () => {
    const pool = randomPool(32);
    const drawn = pool.bytes(32);
    const copy = Buffer.from(drawn);
    pool.bytes(32); // refills the pool the first draw came from
    expect(drawn.equals(copy)).toBe(true);
  });

  it('given two pools, then they do not hand out the same bytes', () => {
    const [a, b] = [randomPool(), randomPool()];
    expect(a.base64(32)).not.toBe(b.base64(32));
  });

  it('given a draw larger than the pool, then it is refused', () => {
    expect(() => randomPool(16).base64(32)).toThrow(RangeError);
    expect(() => randomPool(16).bytes(32)).toThrow(RangeError);
  });
});
