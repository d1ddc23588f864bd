import pino from 'pino';
import type { Logger } from '../logger';
import type { Clock } from '../reactions';

/** Quiet unless TEST_LOG_LEVEL asks for more. */
export const silentLogger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A clock tests can move forward without waiting. */
export class TestClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
