import { startMongoServer } from '@az-shop/mongo-emulator';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEASES, type LeaseDoc, LeaseKeeper } from '../../src/processor/leases';
import { intercepted, throttledCount, throttledRefusal } from '../../src/testing';
import { quietLogger } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
let db: Db;
/** Every command the keepers send, by name, as the driver's command monitoring sees it. */
const sent: string[] = [];

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  client = new MongoClient(server.uri, { monitorCommands: true });
  client.on('commandStarted', (event) => sent.push(event.commandName));
  await client.connect();
  db = client.db(`renewal_${process.pid}`);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** A keeper whose own timer never fires during a test: rounds run when the test calls `tick()`. */
function keeper(processor: string, buckets: number, through: Db = db): LeaseKeeper {
  return new LeaseKeeper({
    db: through,
    processor,
    owner: 'me',
    buckets,
    ttlMs: 600_000,
    logger: quietLogger,
    onChange: () => {},
  });
}

/** The commands one renewal round sends, by name. */
async function oneRound(lease: LeaseKeeper): Promise<Record<string, number>> {
  sent.length = 0;
  await lease.tick();
  const counts: Record<string, number> = {};
  for (const name of sent) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

describe('lease renewal', () => {
  it('renews the membership and every held lease in one round trip, whatever the bucket count', async () => {
    for (const buckets of [1, 4, 16]) {
      const lease = keeper(`test.renewal.${buckets}`, buckets);
      await lease.start();
      try {
        expect(lease.active().size).toBe(buckets);
        const before = await db.collection<LeaseDoc>(LEASES).find({ kind: 'lease', owner: 'me' }).toArray();
        // One write (the renewals) and one read (the records the rebalance plans from), nothing per bucket.
        expect(await oneRound(lease)).toEqual({ update: 1, find: 1 });
        const after = await db.collection<LeaseDoc>(LEASES).find({ kind: 'lease', owner: 'me' }).toArray();
        const renewed = after.filter((doc) => {
          const was = before.find((old) => old._id === doc._id);
          return was && doc.expiresAt > was.expiresAt && doc.processor === `test.renewal.${buckets}`;
        });
        expect(renewed.length).toBe(buckets);
        expect(lease.active().size).toBe(buckets);
      } finally {
        await lease.stop();
      }
    }
  });

  it('releases every lease in one round trip, so another instance sees them free together', async () => {
    const processor = 'test.renewal.release';
    const lease = keeper(processor, 16);
    await lease.start();
    expect(lease.active().size).toBe(16);
    sent.length = 0;
    await lease.stop();
    // The membership removed, then one update for all 16 leases.
    expect(sent.sort()).toEqual(['delete', 'update']);
    const owned = await db
      .collection<LeaseDoc>(LEASES)
      .countDocuments({ processor, kind: 'lease', owner: 'me' });
    expect(owned).toBe(0);
  });

  it('does not renew a lease another owner took, nor one under a newer epoch, and stops handling both', async () => {
    const processor = 'test.renewal.fenced';
    const lease = keeper(processor, 4);
    await lease.start();
    try {
      expect([...lease.active().keys()].sort()).toEqual([0, 1, 2, 3]);
      const leases = db.collection<LeaseDoc>(LEASES);
      const taken = new Date(Date.now() + 3_600_000);
      // Bucket 1 went to another owner; bucket 2 was taken again under this owner's name (a newer epoch).
      await leases.updateOne(
        { _id: `${processor}#lease#1` },
        { $set: { owner: 'other', expiresAt: taken }, $inc: { epoch: 1 } },
      );
      await leases.updateOne(
        { _id: `${processor}#lease#2` },
        { $set: { expiresAt: taken }, $inc: { epoch: 1 } },
      );

      await lease.tick();

      const docs = new Map(
        (await leases.find({ processor, kind: 'lease' }).toArray()).map((d) => [d.bucket, d]),
      );
      expect(docs.get(1)).toMatchObject({ owner: 'other', epoch: 2, expiresAt: taken });
      expect(docs.get(2)).toMatchObject({ owner: 'me', epoch: 2, expiresAt: taken });
      expect([...lease.active().keys()].sort()).toEqual([0, 3]);
      expect(lease.mayHandle(1)).toBe(false);
      expect(lease.mayHandle(2)).toBe(false);
      expect(lease.mayHandle(0)).toBe(true);
      // The buckets still held were renewed in the same round.
      for (const bucket of [0, 3])
        expect(docs.get(bucket)!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 500_000);
    } finally {
      await lease.stop();
    }
  });

  it('a renewal Cosmos DB throttles is sent again within the round: the leases are renewed, not left to lapse', async () => {
    const processor = 'test.renewal.throttled';
    let refusals = 0;
    const throttling = intercepted(db, LEASES, ['bulkWrite'], async (command) => {
      if (refusals === 0) return command();
      refusals -= 1;
      throw throttledRefusal();
    });
    const lease = keeper(processor, 4, throttling);
    await lease.start();
    try {
      const leases = db.collection<LeaseDoc>(LEASES);
      const expiries = async () =>
        (await leases.find({ processor, kind: 'lease' }).sort({ bucket: 1 }).toArray()).map((d) =>
          d.expiresAt.getTime(),
        );
      const before = await expiries();
      const countedBefore = await throttledCount(processor);

      refusals = 2;
      await lease.tick();

      expect(refusals).toBe(0);
      const after = await expiries();
      expect(after).toHaveLength(4);
      for (const [i, expiry] of after.entries()) expect(expiry).toBeGreaterThan(before[i]!);
      expect([...lease.active().keys()].sort()).toEqual([0, 1, 2, 3]);
      expect((await throttledCount(processor)) - countedBefore).toBe(2);
    } finally {
      await lease.stop();
    }
  });
});
