import type { FastifyRequest } from 'fastify';
import './session-data';

/**
 * Read your own writes across instances. A visitor's write (a form, an API call, a sign-in) stamps
 * their session cookie with the clock of the instance that answered; a cached read of their data (a
 * kept page of theirs, their cart count) is used only if it was made after that stamp by more than
 * the clock skew instances may have. So a visitor who wrote through one instance never gets from
 * another what that one cached before the write, even before its change stream tells it.
 */

/** How far apart two instances' clocks may be (NTP-synced nodes are within milliseconds). */
export const CLOCK_SKEW_MS = 1000;

/** Records that the visitor wrote just now (once the write has run). */
export function stampWrite(session: FastifyRequest['session']): void {
  session.set('wroteAt', Date.now());
}

/** The time a cached read must have been made after to show this visitor's last write. */
export function readAfter(request: FastifyRequest): number {
  return (request.session.get('wroteAt') ?? 0) + CLOCK_SKEW_MS;
}
