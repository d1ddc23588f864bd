import { startMongoServer } from '@az-shop/mongo-emulator';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKETING } from '../../src/processor/buckets';
import { LEASES, LeaseKeeper } from '../../src/processor/leases';
import { connect, quietLogger } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  ({ client, db } = await connect(server.uri, `bucketing_${process.pid}`));
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

const keeperFor = (processor: string, owner: string, buckets: number) =>
  new LeaseKeeper({ db, processor, owner, buckets, ttlMs: 900, logger: quietLogger, onChange: () => {} });

describe('leases under another bucket function', () => {
  it('given a live owner partitioning into 8 buckets, when an instance of 16 starts, then it takes nothing until that owner leaves', async () => {
    const old = keeperFor('test.bucketing', 'old', 8);
    await old.start();
    const next = keeperFor('test.bucketing', 'next', 16);
    try {
      expect(old.active().size).toBe(8);
      await next.start();
      expect(next.active().size).toBe(0);
      expect(next.refusedBecause()).toContain(`${BUCKETING}/8`);

      await old.stop();
      await next.tick();
      expect(next.refusedBecause()).toBeUndefined();
      expect(next.active().size).toBe(16);
      const stamps = await db
        .collection(LEASES)
        .distinct('bucketing', { processor: 'test.bucketing', kind: 'lease' });
      expect(stamps).toEqual([`${BUCKETING}/16`]);
    } finally {
      await old.stop();
      await next.stop();
    }
  });

  it('given leases of the same bucket function, when a second instance joins, then they share the buckets', async () => {
    const first = keeperFor('test.same', 'a', 16);
    const second = keeperFor('test.same', 'b', 16);
    await first.start();
    await second.start();
    try {
      expect(second.refusedBecause()).toBeUndefined();
      // The first marks its surplus, releases it once its processor confirms, and the second takes it.
      await first.tick();
      await first.confirmStopped(new Set(first.active().keys()));
      await second.tick();
      expect(first.active().size + second.active().size).toBe(16);
      expect(second.active().size).toBeGreaterThan(0);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
