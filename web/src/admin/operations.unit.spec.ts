import { describe, expect, it } from 'vitest';
import { bucketOwnership, type LeaseRow, lagSeconds, summarizeProcessors } from './operations';

const now = new Date('2026-12-06T12:00:00.000Z');
const inSeconds = (s: number) => new Date(now.getTime() + s * 1000);
const nowSeconds = now.getTime() / 1000;

const member = (processor: string, owner: string, ttl = 10): LeaseRow => ({
  processor,
  kind: 'member',
  owner,
  expiresAt: inSeconds(ttl),
});
const lease = (processor: string, bucket: number, owner: string | null, ttl = 10): LeaseRow => ({
  processor,
  kind: 'lease',
  bucket,
  owner,
  expiresAt: inSeconds(ttl),
});

describe('lagSeconds', () => {
  it('given bucket checkpoints, when asked, then it is now minus the oldest cluster time', () => {
    const rows = [
      { processor: 'p', bucket: 0, clusterSeconds: nowSeconds - 3, updatedAt: now },
      { processor: 'p', bucket: 1, clusterSeconds: nowSeconds - 42, updatedAt: now },
    ];
    expect(lagSeconds(rows, now)).toBe(42);
  });

  it('given no cluster times (cosmos mode) or none at all, then the lag is unknown', () => {
    expect(lagSeconds([{ processor: 'p', bucket: null, updatedAt: now }], now)).toBeNull();
    expect(lagSeconds([], now)).toBeNull();
  });

  it('given a checkpoint ahead of this clock, then the lag is 0, never negative', () => {
    expect(
      lagSeconds([{ processor: 'p', bucket: null, clusterSeconds: nowSeconds + 5, updatedAt: now }], now),
    ).toBe(0);
  });
});

describe('bucketOwnership', () => {
  it('given two live members, then each lists the buckets it holds, sorted', () => {
    const rows = [
      member('p', 'b'),
      member('p', 'a'),
      lease('p', 3, 'a'),
      lease('p', 1, 'a'),
      lease('p', 2, 'b'),
    ];
    expect(bucketOwnership(rows, now)).toEqual({
      owners: [
        { owner: 'a', buckets: [1, 3], expiresAt: inSeconds(10).toISOString() },
        { owner: 'b', buckets: [2], expiresAt: inSeconds(10).toISOString() },
      ],
      unownedBuckets: [],
    });
  });

  it('given expired leases, released leases and a gone member, then those buckets are unowned', () => {
    const rows = [
      member('p', 'a'),
      member('p', 'gone', -1),
      lease('p', 0, 'a', -1),
      lease('p', 1, null),
      lease('p', 2, 'gone'),
      lease('p', 3, 'a'),
    ];
    const result = bucketOwnership(rows, now);
    expect(result.owners.map((o) => [o.owner, o.buckets])).toEqual([['a', [3]]]);
    expect(result.unownedBuckets).toEqual([0, 1, 2]);
  });
});

describe('summarizeProcessors', () => {
  it('given the three collections, then one view per name with health, lag and parked counts', () => {
    const views = summarizeProcessors({
      now,
      leases: [
        member('ordering.a', 'x'),
        lease('ordering.a', 0, 'x'),
        lease('ordering.a', 1, null),
        lease('factory.b', 0, 'y', -20),
        member('web.c', 'z'),
        lease('web.c', 0, 'z'),
      ],
      checkpoints: [
        { processor: 'ordering.a', bucket: 0, clusterSeconds: nowSeconds - 7, updatedAt: inSeconds(-2) },
        { processor: 'ordering.a', bucket: 1, clusterSeconds: nowSeconds - 1, updatedAt: inSeconds(-1) },
        { processor: 'solo', bucket: null, updatedAt: inSeconds(-90) },
      ],
      parked: [
        { processor: 'ordering.a', status: 'parked', count: 2 },
        { processor: 'ordering.a', status: 'replayed', count: 1 },
        { processor: 'only-parked', status: 'discarded', count: 4 },
      ],
    });
    expect(views.map((v) => [v.name, v.health])).toEqual([
      ['factory.b', 'down'],
      ['only-parked', 'unleased'],
      ['ordering.a', 'degraded'],
      ['solo', 'unleased'],
      ['web.c', 'running'],
    ]);
    const ordering = views.find((v) => v.name === 'ordering.a');
    expect(ordering).toMatchObject({
      lagSeconds: 7,
      lastCheckpointAt: inSeconds(-1).toISOString(),
      checkpoints: 2,
      unownedBuckets: [1],
      parked: { parked: 2, replayed: 1, discarded: 0, replaying: 0, 'replay-requested': 0 },
    });
    expect(views.find((v) => v.name === 'solo')).toMatchObject({ lagSeconds: null, checkpoints: 1 });
    expect(views.find((v) => v.name === 'only-parked')).toMatchObject({
      lastCheckpointAt: null,
      parked: { discarded: 4 },
    });
  });
});
