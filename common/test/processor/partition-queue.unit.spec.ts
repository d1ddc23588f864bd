import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartitionQueue } from '../../src/processor/partition-queue';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('PartitionQueue', () => {
  it('property: per-key order kept, one at a time per key, concurrency and buffer bounds respected', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 20 }),
        async (items, concurrency, maxBuffered) => {
          const seen = new Map<string, number[]>();
          const active = new Set<string>();
          let running = 0;
          let maxRunning = 0;
          const queue = new PartitionQueue<{ seq: number; delay: number }>({
            concurrency,
            maxBuffered,
            run: async (key, item) => {
              expect(active.has(key)).toBe(false);
              active.add(key);
              running++;
              maxRunning = Math.max(maxRunning, running);
              for (let i = 0; i < item.delay; i++) await tick();
              seen.set(key, [...(seen.get(key) ?? []), item.seq]);
              active.delete(key);
              running--;
            },
          });
          let seq = 0;
          for (const [key, delay] of items) {
            await queue.push(String(key), { seq: seq++, delay });
            expect(queue.size).toBeLessThanOrEqual(maxBuffered);
          }
          await queue.idle();
          expect(maxRunning).toBeLessThanOrEqual(concurrency);
          let total = 0;
          for (const list of seen.values()) {
            total += list.length;
            expect(list).toEqual([...list].sort((a, b) => a - b));
          }
          expect(total).toBe(items.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('when full, push waits until an item finishes (back-pressure)', async () => {
    const releases: (() => void)[] = [];
    const queue = new PartitionQueue<number>({
      concurrency: 2,
      maxBuffered: 2,
      run: () => new Promise<void>((resolve) => releases.push(resolve)),
    });
    await queue.push('a', 1);
    await queue.push('b', 2);
    let pushed = false;
    const third = queue.push('c', 3).then(() => {
      pushed = true;
    });
    await tick();
    expect(pushed).toBe(false);
    releases.shift()!();
    await third;
    expect(pushed).toBe(true);
  });

  it('a throwing run does not stall its key', async () => {
    const done: number[] = [];
    const queue = new PartitionQueue<number>({
      concurrency: 1,
      maxBuffered: 10,
      run: async (_key, item) => {
        if (item === 1) throw new Error('boom');
        done.push(item);
      },
    });
    await queue.push('k', 1);
    await queue.push('k', 2);
    await queue.idle();
    expect(done).toEqual([2]);
  });

  it('close drops queued items and waits for running ones', async () => {
    let release!: () => void;
    const queue = new PartitionQueue<number>({
      concurrency: 1,
      maxBuffered: 10,
      run: () => new Promise<void>((resolve) => (release = resolve)),
    });
    await queue.push('k', 1);
    await queue.push('k', 2);
    const closing = queue.close();
    release();
    expect(await closing).toEqual([2]);
  });
});
