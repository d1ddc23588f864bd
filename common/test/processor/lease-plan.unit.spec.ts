import { describe, expect, it } from 'vitest';
import { firstEndOfAnother, type LeaseView } from '../../src/processor/lease-plan';

const now = 1_000_000;
const ttl = 15_000;
const records = (owner: string | null, buckets: number[], expiresAt: number): LeaseView[] =>
  buckets.map((bucket) => ({ bucket, owner, expiresAt }));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('when a member looks at the leases again', () => {
  it('given a killed member whose records end before the next round, wakes when the first of them ends', () => {
    // B stopped renewing 11 s ago (its membership is bucket -1); A renewed just now.
    const leases = [
      ...records('A', [-1, ...range(0, 8)], now + ttl),
      ...records('B', [-1, ...range(8, 16)], now + 4_000),
    ];
    leases[10] = { bucket: 9, owner: 'B', expiresAt: now + 2_500 };
    expect(firstEndOfAnother({ me: 'A', records: leases, now })).toBe(now + 2_500);
  });

  it('given only its own records, released leases and ended ones, does not wake', () => {
    const leases = [
      ...records('A', [-1, ...range(0, 8)], now + 1_000),
      ...records(null, range(8, 12), 0),
      ...records('B', range(12, 16), now - 1),
    ];
    expect(firstEndOfAnother({ me: 'A', records: leases, now })).toBeUndefined();
  });
});
