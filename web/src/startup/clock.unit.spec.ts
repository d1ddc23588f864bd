import { describe, expect, it } from 'vitest';
import { startupClock } from './clock';

describe('startupClock', () => {
  it('given marks, then each phase is the time since the one before, the first since the process started', () => {
    const times = [120.4, 150, 400.6, 401];
    const clock = startupClock(() => times.shift() ?? Number.NaN);
    clock.mark('mongo');
    clock.mark('app');
    clock.mark('listen');
    expect(clock.phases()).toEqual({ imports: 120, mongo: 30, app: 251, listen: 0, total: 401 });
  });
});
