import { describe, expect, it } from 'vitest';
import { type LeaseView, leaseEndWorthWaking, planLeases } from '../../src/processor/lease-plan';

const now = 1_000_000;
const ttl = 15_000;
const held = (owner: string, buckets: number[], expiresAt: number): LeaseView[] =>
  buckets.map((bucket) => ({ bucket, owner, expiresAt }));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function wake(liveMembers: string[], leases: LeaseView[]) {
  const plan = planLeases({ me: 'A', buckets: 16, liveMembers, leases, now });
  const mine = leases.filter((lease) => lease.owner === 'A' && lease.expiresAt > now).length;
  return leaseEndWorthWaking({ me: 'A', held: mine, plan, leases, now });
}

describe('when a member looks at the leases again', () => {
  it('given a dead member whose leases end before the next round, wakes when the first of them ends', () => {
    // B stopped renewing 11 s ago; A renewed just now and is the only live member: it wants all 16.
    const leases = [...held('A', range(0, 8), now + ttl), ...held('B', range(8, 16), now + 4_000)];
    leases[9] = { bucket: 9, owner: 'B', expiresAt: now + 2_500 };
    expect(wake(['A'], leases)).toBe(now + 2_500);
  });

  it('given its fair share held, does not wake early for other members’ leases', () => {
    const leases = [...held('A', range(0, 8), now + ttl), ...held('B', range(8, 16), now + 2_000)];
    expect(wake(['A', 'B'], leases)).toBeUndefined();
  });

  it('given free buckets that fill its share, takes those this round and does not wake early', () => {
    const leases = [...held('A', range(0, 8), now + ttl), ...held('B', range(8, 16), now - 1)];
    expect(wake(['A'], leases)).toBeUndefined();
  });

  it('given a share still missing after the free buckets, wakes for the first lease of another that ends', () => {
    const leases = [
      ...held('A', range(0, 4), now + ttl),
      ...held('B', range(4, 8), now - 1),
      ...held('C', range(8, 16), now + 3_000),
    ];
    expect(wake(['A'], leases)).toBe(now + 3_000);
  });
});
