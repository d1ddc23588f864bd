import { describe, expect, it } from 'vitest';
import { randomPool } from './random-pool';

describe('randomPool', () => {
  it('given draws across several refills, then each is its size and none repeats', () => {
    const draw = randomPool(100);
    const drawn = Array.from({ length: 1000 }, () => draw(32));
    for (const value of drawn) expect(Buffer.from(value, 'base64')).toHaveLength(32);
    expect(new Set(drawn).size).toBe(drawn.length);
  });

  it('given two pools, then they do not hand out the same bytes', () => {
    const [a, b] = [randomPool(), randomPool()];
    expect(a(32)).not.toBe(b(32));
  });

  it('given a draw larger than the pool, then it is refused', () => {
    expect(() => randomPool(16)(32)).toThrow(RangeError);
  });
});
