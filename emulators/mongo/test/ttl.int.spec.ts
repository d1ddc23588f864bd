import type { ChangeStreamDocument } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, eventually, startWithClient } from './helpers.js';

describe('TTL indexes', () => {
  let ctx: Awaited<ReturnType<typeof startWithClient>>;
  beforeAll(async () => {
    ctx = await startWithClient();
  });
  afterAll(async () => ctx.close());

  it('deletes expired documents in the background with delete change events', async () => {
    const c = ctx.client.db('ttl').collection<AnyDoc>('sessions');
    await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    const cs = c.watch<AnyDoc, ChangeStreamDocument<AnyDoc>>();
    await cs.tryNext();
    await c.insertMany([
      { _id: 'old', expiresAt: new Date(Date.now() - 1000) },
      { _id: 'future', expiresAt: new Date(Date.now() + 3_600_000) },
      { _id: 'notADate', expiresAt: 'tomorrow' },
    ]);
    await eventually(async () => (await c.countDocuments()) === 2);
    expect((await c.find().toArray()).map((d) => d._id).sort()).toEqual(['future', 'notADate']);
    const events: ChangeStreamDocument<AnyDoc>[] = [];
    while (events.length < 4) events.push(await cs.next());
    expect(events[3]).toMatchObject({ operationType: 'delete', documentKey: { _id: 'old' } });
    await cs.close();
    // collMod changes expireAfterSeconds.
    const res = await ctx.client
      .db('ttl')
      .command({ collMod: 'sessions', index: { keyPattern: { expiresAt: 1 }, expireAfterSeconds: 10 } });
    expect(res.expireAfterSeconds_new).toBe(10);
  });

  it('refuses a negative expireAfterSeconds, as mongod 5.0+ does (only Cosmos DB RU takes -1, on _ts)', async () => {
    const c = ctx.client.db('ttl').collection<AnyDoc>('negative');
    await expect(c.createIndex({ _ts: 1 }, { expireAfterSeconds: -1 })).rejects.toMatchObject({
      code: 67,
      codeName: 'CannotCreateIndex',
    });
    await expect(c.createIndex({ at: 1 }, { expireAfterSeconds: 2 ** 31 })).rejects.toMatchObject({
      code: 67,
    });
    expect(
      (await c.indexes().catch(() => [])).filter((index) => index.expireAfterSeconds !== undefined),
    ).toEqual([]);
  });
});
