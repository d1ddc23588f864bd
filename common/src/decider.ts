/**
 * The shape every decider shares (Emmett style): `decide(state, command, now)` answers the events
 * that happen, or a rejection saying why nothing may happen. Pure: no I/O, no clock of its own.
 */
export const REJECTION = {
  IllegalState: 'IllegalState',
  NotFound: 'NotFound',
  NotYet: 'NotYet',
  NoCapacity: 'NoCapacity',
} as const;

export interface Rejection {
  rejected: true;
  kind: (typeof REJECTION)[keyof typeof REJECTION];
  reason: string;
}

export type Decision<E> = E[] | Rejection;

export function reject(kind: Rejection['kind'], reason: string): Rejection {
  return { rejected: true, kind, reason };
}

export function isRejection<E>(decision: Decision<E>): decision is Rejection {
  return !Array.isArray(decision);
}
