import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Watermark } from '../../src/processor/watermark';

describe('Watermark', () => {
  it('given timed events, then the oldest unfinished one and the checkpoint carry their times', () => {
    const w = new Watermark<number>(0, 1_000);
    expect(w.oldestPendingTime()).toBeUndefined();
    expect(w.checkpointTime()).toBe(1_000);
    const e1 = w.add(1, 2_000);
    const e2 = w.add(2, 3_000);
    expect(w.oldestPendingTime()).toBe(2_000);
    w.complete(e2);
    // Finished out of order: the older event still holds both the lag and the checkpoint back.
    expect(w.oldestPendingTime()).toBe(2_000);
    expect(w.checkpointTime()).toBe(1_000);
    w.complete(e1);
    expect(w.oldestPendingTime()).toBeUndefined();
    expect(w.checkpointTime()).toBe(3_000);
    w.advance(3, 4_000);
    expect(w.checkpointTime()).toBe(4_000);
  });

  it('given a catch-up hold with its read time, then it is the oldest pending until it finishes', () => {
    const w = new Watermark<number>();
    const h = w.hold(500);
    w.advance(10, 600);
    expect(w.oldestPendingTime()).toBe(500);
    expect(w.checkpointTime()).toBeUndefined();
    w.complete(h);
    expect(w.checkpointTime()).toBe(600);
  });

  it('given no events, the checkpoint is the initial position', () => {
    expect(new Watermark<number>(7).checkpoint()).toBe(7);
    expect(new Watermark<number>().checkpoint()).toBeUndefined();
  });

  it('when events finish out of order, then the checkpoint stops before the oldest unfinished one', () => {
    const w = new Watermark<number>(0);
    const e1 = w.add(1);
    const e2 = w.add(2);
    const e3 = w.add(3);
    w.complete(e2);
    expect(w.checkpoint()).toBe(0);
    w.complete(e1);
    expect(w.checkpoint()).toBe(2);
    w.complete(e3);
    expect(w.checkpoint()).toBe(3);
  });

  it('when other positions pass with nothing pending, then it advances to them', () => {
    const w = new Watermark<number>(0);
    const e1 = w.add(1);
    w.advance(2);
    expect(w.checkpoint()).toBe(0);
    w.complete(e1);
    expect(w.checkpoint()).toBe(2);
  });

  it('given catch-up holds, then no checkpoint exists until they finish, then the stream start', () => {
    const w = new Watermark<number>();
    const h1 = w.hold();
    const h2 = w.hold();
    w.advance(10);
    const e = w.add(11);
    w.complete(h2);
    w.complete(e);
    expect(w.checkpoint()).toBeUndefined();
    w.complete(h1);
    expect(w.checkpoint()).toBe(11);
  });

  it('property: for any completion order the checkpoint never passes an unfinished event', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 300 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.shuffledSubarray([...Array(n).keys()], { minLength: 0, maxLength: n }),
            ),
          ),
        ([n, order]) => {
          const w = new Watermark<number>(-1);
          const entries = [...Array(n).keys()].map((i) => w.add(i));
          const done = new Set<number>();
          for (const i of order) {
            w.complete(entries[i]!);
            done.add(i);
            const checkpoint = w.checkpoint()!;
            // Everything at or before the checkpoint is finished...
            for (let j = 0; j <= checkpoint; j++) expect(done.has(j)).toBe(true);
            // ...and it is the newest such position (it does not lag needlessly).
            expect(checkpoint + 1 >= n || !done.has(checkpoint + 1)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: interleaved adds, advances and completions keep the invariant', () => {
    const op = fc.oneof(
      fc.constant({ kind: 'add' as const }),
      fc.constant({ kind: 'advance' as const }),
      fc.nat().map((pick) => ({ kind: 'complete' as const, pick })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const w = new Watermark<number>(0);
        let position = 0;
        const open: { position: number; entry: ReturnType<typeof w.add> }[] = [];
        for (const o of ops) {
          if (o.kind === 'add') {
            position++;
            open.push({ position, entry: w.add(position) });
          } else if (o.kind === 'advance') {
            position++;
            w.advance(position);
          } else if (open.length > 0) {
            const [picked] = open.splice(o.pick % open.length, 1);
            w.complete(picked!.entry);
          }
          const checkpoint = w.checkpoint()!;
          for (const unfinished of open) expect(checkpoint).toBeLessThan(unfinished.position);
        }
        if (open.length === 0) expect(w.checkpoint()).toBe(position);
      }),
      { numRuns: 300 },
    );
  });
});
