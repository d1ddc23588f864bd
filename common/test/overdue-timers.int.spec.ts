import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overdueTimers } from '../src/reactions';
import { startTestMongo, type TestMongo } from '../src/testing';

let mongo: TestMongo;

beforeAll(async () => {
  mongo = await startTestMongo();
});

afterAll(async () => {
  await mongo?.stop();
});

describe('overdue durable timers', () => {
  it('given deadlines past and to come, then it counts the waiting ones past due and the oldest one’s age', async () => {
    const db = mongo.freshDb();
    const jobs = db.collection<{ _id: string; state: string; dueAt: Date }>('jobs');
    const now = new Date('2026-12-01T12:00:00Z');
    const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
    await jobs.insertMany([
      { _id: 'late', state: 'waiting', dueAt: ago(90) },
      { _id: 'just-due', state: 'waiting', dueAt: ago(5) },
      { _id: 'future', state: 'waiting', dueAt: ago(-60) },
      { _id: 'done-long-ago', state: 'done', dueAt: ago(3_600) },
    ]);
    const registry = new Registry();
    const overdue = overdueTimers(
      'test.loop',
      [
        {
          name: 'finish',
          collection: db.collection('jobs'),
          due: (at) => ({ state: 'waiting', dueAt: { $lte: at } }),
          dueField: 'dueAt',
        },
        { name: 'idle', collection: db.collection('nothing'), due: () => ({}), dueField: 'dueAt' },
      ],
      { now: () => now },
      registry,
    );
    await overdue.sample();
    const read = async (metric: string, timer: string) =>
      (await registry.getSingleMetric(metric)?.get())?.values.find((v) => v.labels.timer === timer);
    expect(await read('timers_overdue', 'finish')).toMatchObject({
      value: 2,
      labels: { loop: 'test.loop', timer: 'finish' },
    });
    expect((await read('timers_overdue_seconds', 'finish'))?.value).toBe(90);
    expect((await read('timers_overdue', 'idle'))?.value).toBe(0);
    expect((await read('timers_overdue_seconds', 'idle'))?.value).toBe(0);

    await jobs.updateOne({ _id: 'late' }, { $set: { state: 'done' } });
    await overdue.sample();
    expect((await read('timers_overdue', 'finish'))?.value).toBe(1);
    expect((await read('timers_overdue_seconds', 'finish'))?.value).toBe(5);
  });
});
