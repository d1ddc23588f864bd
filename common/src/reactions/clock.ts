/** The one source of time: handlers and timers take a clock, so tests can move it and never read `Date.now()`. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
