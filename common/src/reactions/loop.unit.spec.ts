import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLoop } from './loop';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a loop whose pass records when it ran and answers `wantedIn()`; returns the pass times. */
function recorded(everyMs: number, idleMs: number | undefined, wantedIn: () => unknown) {
  const passes: number[] = [];
  const loop = createLoop(
    'test.loop',
    everyMs,
    async () => {
      passes.push(Date.now());
      return wantedIn();
    },
    logger,
    idleMs === undefined ? {} : { idleMs },
  );
  return { loop, passes };
}

describe('createLoop', () => {
  it('without idleMs passes every everyMs, as before', async () => {
    const { loop, passes } = recorded(20, undefined, () => undefined);
    await loop.start();
    await sleep(300);
    await loop.stop();
    expect(passes.length).toBeGreaterThanOrEqual(5);
  });

  it('sleeps idleMs when nothing is wanted sooner, and wake() brings the next pass to everyMs', async () => {
    const { loop, passes } = recorded(20, 400, () => undefined);
    await loop.start();
    await sleep(700); // passes at ~20 and ~420 ms
    expect(passes.length).toBe(2);
    const woken = Date.now();
    loop.wake();
    await sleep(100);
    await loop.stop();
    expect(passes.length).toBe(3);
    expect(passes[2]! - woken).toBeLessThan(80);
  });

  it('sleeps as long as the pass asks, bounded by everyMs below and idleMs above', async () => {
    let wanted: number = 100;
    const { loop, passes } = recorded(20, 400, () => wanted);
    await loop.start();
    await sleep(450);
    const asked = passes.length; // ~20, 120, 220, 320, 420 ms
    expect(asked).toBeGreaterThanOrEqual(3);
    expect(asked).toBeLessThanOrEqual(5);
    wanted = -5_000; // overdue and not moving: not a hot loop, everyMs apart
    await sleep(200);
    const overdue = passes.length - asked;
    expect(overdue).toBeGreaterThanOrEqual(3);
    expect(overdue).toBeLessThanOrEqual(11);
    wanted = 60_000; // far ahead: idleMs
    await sleep(50);
    const far = passes.length;
    await sleep(300);
    await loop.stop();
    expect(passes.length - far).toBeLessThanOrEqual(1);
  });

  it('a wake during a pass runs the next one everyMs after it, not idleMs', async () => {
    let loopRef: { wake(): void } | undefined;
    let first = true;
    const passes: number[] = [];
    const loop = createLoop(
      'test.loop',
      20,
      async () => {
        passes.push(Date.now());
        if (first) {
          first = false;
          loopRef?.wake();
        }
      },
      logger,
      { idleMs: 5_000 },
    );
    loopRef = loop;
    await loop.start();
    await sleep(200);
    await loop.stop();
    expect(passes.length).toBe(2);
  });
});
