import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeVersioned } from '../src/mongo';
import { startTestMongo, type TestMongo } from '../src/testing';

interface Counter {
  _id: string;
  version: number;
  count: number;
}

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => mongo.stop());

describe('changeVersioned', () => {
  it('loses no update when many writers change one document at once, the first write included', async () => {
    const counters = mongo.freshDb().collection<Counter>('counters');
    const writers = 40;
    const results = await Promise.all(
      Array.from({ length: writers }, () =>
        changeVersioned(counters, 'c1', (current) => {
          const count = (current?.count ?? 0) + 1;
          return { result: count, next: { _id: 'c1', count } };
        }),
      ),
    );
    expect(await counters.findOne({ _id: 'c1' })).toEqual({ _id: 'c1', count: writers, version: writers });
    // Each writer's answer comes from the state it actually wrote over: all distinct.
    expect(new Set(results).size).toBe(writers);
  });

  it('writes nothing when the change declines', async () => {
    const counters = mongo.freshDb().collection<Counter>('counters');
    expect(await changeVersioned(counters, 'c2', () => ({ result: 'no' }))).toBe('no');
    expect(await counters.countDocuments()).toBe(0);
  });
});
