import type { SessionDocument } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { effectiveRoles, needsTouch, rolesCheckDue, type SessionPolicy, sessionState } from './session-rules';

const MINUTE = 60_000;
const policy: SessionPolicy = {
  absoluteMs: 12 * 60 * MINUTE,
  idleMs: 60 * MINUTE,
  rolesRecheckMs: 5 * MINUTE,
};
const signedInAt = new Date('2026-12-06T08:00:00Z');
const at = (minutes: number) => new Date(signedInAt.getTime() + minutes * MINUTE);

function givenSession(changes: Partial<SessionDocument> = {}): SessionDocument {
  return {
    _id: 'sid',
    partition_key: 'u1',
    sub: 'u1',
    name: 'Ada',
    roles: ['admin'],
    createdAt: signedInAt,
    expiresAt: at(12 * 60),
    lastSeenAt: signedInAt,
    rolesCheckedAt: signedInAt,
    ...changes,
  };
}

describe('sessionState', () => {
  it('is active while both lifetimes run', () => {
    expect(sessionState(givenSession({ lastSeenAt: at(30) }), at(89), policy)).toBe('active');
  });

  it('is idle once no request came for the idle lifetime', () => {
    expect(sessionState(givenSession({ lastSeenAt: at(30) }), at(90), policy)).toBe('idle');
  });

  it('is expired at the absolute lifetime, however active the user is', () => {
    expect(sessionState(givenSession({ lastSeenAt: at(12 * 60 - 1) }), at(12 * 60), policy)).toBe('expired');
  });

  it('is ended after sign-out, even within both lifetimes', () => {
    expect(sessionState(givenSession({ endedAt: at(1) }), at(2), policy)).toBe('ended');
  });
});

describe('needsTouch', () => {
  it('writes lastSeenAt at most once a minute', () => {
    expect(needsTouch(givenSession(), at(0.5))).toBe(false);
    expect(needsTouch(givenSession(), at(1))).toBe(true);
  });
});

describe('roles', () => {
  it('are due for a re-check after the interval', () => {
    expect(rolesCheckDue(givenSession(), at(4.9), policy)).toBe(false);
    expect(rolesCheckDue(givenSession(), at(5), policy)).toBe(true);
  });

  it('stay in force while a re-check is merely due', () => {
    expect(effectiveRoles(givenSession(), at(9), policy)).toEqual(['admin']);
  });

  it('are dropped when the provider has not confirmed them for two intervals', () => {
    expect(effectiveRoles(givenSession(), at(10), policy)).toEqual([]);
  });
});
