import { Timestamp } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ageSeconds, clusterTimeMs, lagOverThreshold } from '../../src/processor/lag';

describe('lag arithmetic', () => {
  it('given a cluster time, then its epoch milliseconds are its seconds part', () => {
    expect(clusterTimeMs(new Timestamp({ t: 1_700_000_000, i: 7 }))).toBe(1_700_000_000_000);
    expect(clusterTimeMs(undefined)).toBeUndefined();
  });

  it('given several times, then the age is that of the oldest, unknown ones left out', () => {
    expect(ageSeconds(10_000, [8_000, undefined, 4_000, 9_000])).toBe(6);
    expect(ageSeconds(10_000, [undefined])).toBe(0);
    expect(ageSeconds(10_000, [])).toBe(0);
  });

  it('given a time ahead of the local clock (skew), then the age is 0, never negative', () => {
    expect(ageSeconds(10_000, [11_000])).toBe(0);
  });

  it('when the threshold is 0 or absent, then lag never fails readiness; over a positive one it does', () => {
    expect(lagOverThreshold(1_000, 0)).toBe(false);
    expect(lagOverThreshold(1_000, undefined)).toBe(false);
    expect(lagOverThreshold(30, 30)).toBe(false);
    expect(lagOverThreshold(30.5, 30)).toBe(true);
  });
});
