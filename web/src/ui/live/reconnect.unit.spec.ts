import { describe, expect, it } from 'vitest';
import { RECONNECT_MAX_MS, reconnectDelay } from './reconnect';

describe('reconnectDelay', () => {
  it('doubles from a second', () => {
    const top = () => 1;
    expect([0, 1, 2, 3].map((attempt) => reconnectDelay(attempt, top))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than the maximum', () => {
    expect(reconnectDelay(20, () => 1)).toBe(RECONNECT_MAX_MS);
    expect(reconnectDelay(1_000, () => 1)).toBe(RECONNECT_MAX_MS);
  });

  it('waits between half and all of the step, by the jitter', () => {
    expect(reconnectDelay(2, () => 0)).toBe(2000);
    expect(reconnectDelay(2, () => 0.5)).toBe(3000);
  });
});
