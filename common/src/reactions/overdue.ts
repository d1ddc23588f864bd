import type { Collection, Document } from 'mongodb';
import { Gauge, type Registry } from 'prom-client';
import { getOrCreate, metricsRegistry } from '../http/metrics';
import type { Clock } from './clock';

/** One kind of durable timer: the documents whose deadline (`dueField`) has passed and that still wait. */
export interface DurableTimer {
  /** e.g. `expireUnpaid`: the `timer` label. */
  name: string;
  collection: Collection;
  /** The documents this timer moves on once `dueField` is past (the same filter its tick uses). */
  due: (now: Date) => Document;
  dueField: string;
}

/** How often services sample their overdue timers: one indexed aggregation per timer each time. */
export const OVERDUE_SAMPLE_MS = 10_000;

export function timerMetrics(registry: Registry = metricsRegistry) {
  const registers = [registry];
  return {
    overdue: getOrCreate(
      registry,
      'timers_overdue',
      () =>
        new Gauge({
          name: 'timers_overdue',
          help: 'Durable timers past their deadline and not yet acted on (sampled)',
          labelNames: ['loop', 'timer'],
          registers,
        }),
    ),
    overdueAge: getOrCreate(
      registry,
      'timers_overdue_seconds',
      () =>
        new Gauge({
          name: 'timers_overdue_seconds',
          help: 'Now minus the deadline of the most overdue timer not yet acted on, 0 when none (sampled)',
          labelNames: ['loop', 'timer'],
          registers,
        }),
    ),
  };
}

/**
 * Counts each timer's overdue documents and the oldest one's deadline: a tick pass that keeps failing,
 * or can not keep up, shows as a growing age. Meant to run in a loop of its own (`createLoop`), a few
 * seconds apart: one indexed aggregation per timer.
 */
export function overdueTimers(loop: string, timers: DurableTimer[], clock: Clock, registry?: Registry) {
  const metrics = timerMetrics(registry);
  async function sample(): Promise<void> {
    const now = clock.now();
    await Promise.all(
      timers.map(async (timer) => {
        // One pass over the due documents gives both (countDocuments is itself such a $group).
        const [summary] = await timer.collection
          .aggregate<{ count: number; oldest: unknown }>([
            { $match: timer.due(now) },
            { $group: { _id: null, count: { $sum: 1 }, oldest: { $min: `$${timer.dueField}` } } },
          ])
          .toArray();
        const count = summary?.count ?? 0;
        const due = summary?.oldest;
        const labels = { loop, timer: timer.name };
        metrics.overdue.set(labels, count);
        metrics.overdueAge.set(
          labels,
          due instanceof Date ? Math.max(0, (now.getTime() - due.getTime()) / 1000) : 0,
        );
      }),
    );
  }
  return { name: `${loop}.overdue`, sample };
}
