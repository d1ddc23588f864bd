import type { SessionDocument } from '@az-shop/common';

/** How long sessions last and how often their roles are confirmed (from the config). */
export interface SessionPolicy {
  /** From sign-in; never extended by activity or by visiting /auth/login. */
  absoluteMs: number;
  /** Since the last request. */
  idleMs: number;
  /** Roles older than this are re-checked with the provider on the next request. */
  rolesRecheckMs: number;
}

/** `lastSeenAt` is written at most this often: the idle clock needs minutes, not every request. */
export const TOUCH_EVERY_MS = 60_000;

export type SessionState = 'active' | 'ended' | 'expired' | 'idle';

/** Whether a session still signs its user in; `ended` is sign-out, `expired`/`idle` the two lifetimes. */
export function sessionState(session: SessionDocument, now: Date, policy: SessionPolicy): SessionState {
  if (session.endedAt) return 'ended';
  if (session.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (session.lastSeenAt.getTime() + policy.idleMs <= now.getTime()) return 'idle';
  return 'active';
}

export function needsTouch(session: SessionDocument, now: Date): boolean {
  return now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS;
}

export function rolesCheckDue(session: SessionDocument, now: Date, policy: SessionPolicy): boolean {
  return now.getTime() - session.rolesCheckedAt.getTime() >= policy.rolesRecheckMs;
}

/**
 * The roles a request may use. Roles the provider has not confirmed for two re-check intervals (the
 * provider was unreachable, or gave no refresh token) are dropped: the user stays signed in as a
 * shopper, and an admin signs in again for the back office. Privileges fail closed.
 */
export function effectiveRoles(session: SessionDocument, now: Date, policy: SessionPolicy): string[] {
  return now.getTime() - session.rolesCheckedAt.getTime() >= 2 * policy.rolesRecheckMs ? [] : session.roles;
}
