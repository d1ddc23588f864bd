import { describe, expect, it } from 'vitest';
import { expiryFields, ttlUntil } from '../../src/mongo/expiry';

const now = new Date('2026-12-07T10:00:00.000Z');
const later = (ms: number) => new Date(now.getTime() + ms);

describe('ttlUntil', () => {
  it('given an expiry a whole number of seconds away, then exactly those seconds', () => {
    expect(ttlUntil(later(30 * 60_000), now)).toBe(1800);
  });

  it('given an expiry part of a second further, then rounded up: the document never goes early', () => {
    expect(ttlUntil(later(1_001), now)).toBe(2);
    expect(ttlUntil(later(1), now)).toBe(1);
  });

  it('given an expiry now or past, then 1: the smallest ttl that expires (0 is invalid, -1 is never)', () => {
    expect(ttlUntil(now, now)).toBe(1);
    expect(ttlUntil(later(-60_000), now)).toBe(1);
  });

  it('given an expiry beyond an int32 of seconds, then the largest int32 (Cosmos DB takes no more)', () => {
    expect(ttlUntil(later(100 * 365 * 24 * 3600 * 1000), now)).toBe(2_147_483_647);
  });
});

describe('expiryFields', () => {
  it('given an expiry, when a document is written now, then it carries the expiry and the seconds until it', () => {
    const expiresAt = later(90_500);
    expect(expiryFields(expiresAt, now)).toEqual({ expiresAt, ttl: 91 });
  });

  it('given the same expiry written again later, then a smaller ttl: the count restarts at each write', () => {
    const expiresAt = later(3_600_000);
    expect(expiryFields(expiresAt, later(600_000)).ttl).toBe(3000);
  });
});
