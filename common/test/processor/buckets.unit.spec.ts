import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { bucketOf, fnv1a32, partitionKeyText } from '../../src/processor/buckets';
import { planLeases } from '../../src/processor/lease-plan';

describe('buckets', () => {
  it('FNV-1a matches the reference vectors (stable across releases)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('keys are canonical: ObjectIds by hex, strings as-is', () => {
    const id = new ObjectId('665f1c2e8a1b2c3d4e5f6a7b');
    expect(partitionKeyText(id)).toBe('665f1c2e8a1b2c3d4e5f6a7b');
    expect(bucketOf(id, 16)).toBe(bucketOf('665f1c2e8a1b2c3d4e5f6a7b', 16));
    expect(partitionKeyText(42)).toBe('42');
  });

  it('spreads keys evenly over buckets', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[bucketOf(`user-${i}`, 16)]++;
    for (const count of counts) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1200);
    }
  });
});

describe('planLeases', () => {
  const base = { buckets: 16, now: 1000 };

  it('given one member and no leases, then it takes every bucket', () => {
    const plan = planLeases({ ...base, me: 'a', liveMembers: ['a'], leases: [] });
    expect(plan.acquire.sort((x, y) => x - y)).toEqual([...Array(16).keys()]);
  });

  it('given a second member, then the holder of all releases half and the newcomer waits for them', () => {
    const leases = [...Array(16).keys()].map((bucket) => ({ bucket, owner: 'a', expiresAt: 2000 }));
    const a = planLeases({ ...base, me: 'a', liveMembers: ['a', 'b'], leases });
    expect(a.release).toHaveLength(8);
    const b = planLeases({ ...base, me: 'b', liveMembers: ['a', 'b'], leases });
    expect(b.acquire).toEqual([]);
  });

  it('given an expired owner, then its buckets are free to take', () => {
    const leases = [...Array(16).keys()].map((bucket) => ({
      bucket,
      owner: bucket < 8 ? 'a' : 'b',
      expiresAt: bucket < 8 ? 2000 : 500,
    }));
    const a = planLeases({ ...base, me: 'a', liveMembers: ['a'], leases });
    expect(a.acquire.sort((x, y) => x - y)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });
});
