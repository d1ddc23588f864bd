import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { bucketOf, hashedIndexKeyOfText, partitionKeyText } from '../../src/processor/buckets';
import { planLeases } from '../../src/processor/lease-plan';

describe('buckets', () => {
  it("hashes as MongoDB's $toHashedIndexKey does (its documented example; stable across releases)", () => {
    expect(hashedIndexKeyOfText('string to hash')).toBe(763543691661428748n);
  });

  it('maps negative hashes into 0..buckets-1, as the server filter counts them', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    const negative = keys.find((k) => hashedIndexKeyOfText(k) % 16n < 0n)!;
    const remainder = Number(hashedIndexKeyOfText(negative) % 16n);
    expect(bucketOf(negative, 16)).toBe(remainder + 16);
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
