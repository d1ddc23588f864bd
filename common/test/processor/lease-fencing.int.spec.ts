import { startMongoServer } from '@az-shop/mongo-emulator';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseKeeper } from '../../src/processor/leases';
import { connect, quietLogger } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  ({ client, db } = await connect(server.uri, `fencing_${process.pid}`));
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** Keeps the event loop busy: no timer (the lease renewal among them) can fire meanwhile. */
function starveEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy on purpose
  }
}

describe('lease fencing', () => {
  it('refuses to start handlers on a lease its starved renewal timer let run too close to its end', async () => {
    const published: number[][] = [];
    const keeper = new LeaseKeeper({
      db,
      processor: 'test.fencing',
      owner: 'solo',
      buckets: 4,
      ttlMs: 600,
      logger: quietLogger,
      onChange: (active) => published.push([...active.keys()]),
    });
    await keeper.start();
    try {
      expect([...keeper.active().keys()].sort()).toEqual([0, 1, 2, 3]);
      expect(keeper.mayHandle(2)).toBe(true);

      // Renewals are due every 200 ms; none runs for 450 ms, so less than ttl/3 of each lease is sure.
      starveEventLoop(450);
      expect(keeper.mayHandle(2)).toBe(false);
      expect(keeper.active().has(2)).toBe(false);
      expect(published.at(-1)).not.toContain(2);
      // Never handled again under the lease it had: a new one (another epoch) must be taken first.
      expect(keeper.mayHandle(2)).toBe(false);
    } finally {
      await keeper.stop();
    }
  });
});
