import type { ChildProcess } from 'node:child_process';
import { startMongoServer } from '@az-shop/mongo-emulator';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, delay, insertEvents, killed, runFixture, waitFor } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
let db: Db;
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  ({ client, db } = await connect(server.uri, `leases_${process.pid}`));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await client?.close();
  await server?.stop();
});

interface Handling {
  key: string;
  seq: number;
  owner: string;
  start: number;
  end: number;
}

/** Per key, by start time: no two handlings overlap, and each first-time seq is above all earlier ones. */
function checkPerKey(handlings: Handling[]): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, Handling[]>();
  for (const h of handlings) byKey.set(h.key, [...(byKey.get(h.key) ?? []), h]);
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    const seen = new Set<number>();
    let highest = -1;
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      const previous = list[i - 1];
      if (previous && h.start < previous.end)
        problems.push(`${key}: ${previous.owner}#${previous.seq} overlaps ${h.owner}#${h.seq}`);
      if (!seen.has(h.seq)) {
        if (h.seq < highest) problems.push(`${key}: ${h.seq} after ${highest}`);
        seen.add(h.seq);
        highest = Math.max(highest, h.seq);
      }
    }
  }
  return problems;
}

const ownedBy = async (owner: string) =>
  db.collection('leases').countDocuments({ kind: 'lease', owner, expiresAt: { $gt: new Date() } });

describe('scale-out by leased buckets', () => {
  it('two instances split the buckets; when one is killed the other takes all and finishes; no key runs concurrently', async () => {
    const env = {
      MONGO_URI: server.uri,
      DB_NAME: db.databaseName,
      NAME: 'test.leases',
      LEASES: '1',
      TTL_MS: '1500',
      HANDLER_DELAY_MS: '2',
    };
    const a = runFixture('ledger-processor.ts', { ...env, OWNER: 'A' });
    children.push(a);
    await waitFor(async () => (await ownedBy('A')) === 16);
    const b = runFixture('ledger-processor.ts', { ...env, OWNER: 'B' });
    children.push(b);
    await waitFor(async () => (await ownedBy('A')) === 8 && (await ownedBy('B')) === 8, 30_000);

    const total = 3000;
    const writer = insertEvents(db, 'events', 0, total, 100, 100);
    const ledger = db.collection('ledger');
    await waitFor(
      async () =>
        (await ledger.countDocuments({ owner: 'B' })) > 200 &&
        (await ledger.countDocuments({ owner: 'A' })) > 200,
    );
    b.kill('SIGKILL');
    await killed(b);
    const killedAt = Date.now();
    await waitFor(async () => (await ownedBy('A')) === 16, 30_000);
    const takeoverMs = Date.now() - killedAt;
    await writer;
    await waitFor(
      async () => (await ledger.countDocuments()) === total,
      90_000,
      async () => `ledger ${await ledger.countDocuments()}`,
    );
    a.kill('SIGTERM');
    await killed(a);

    const handlings = await db
      .collection<Handling>('handlings')
      .find({}, { projection: { _id: 0 } })
      .toArray();
    expect(checkPerKey(handlings)).toEqual([]);
    const counters = await db.collection<{ count: number }>('counters').find().toArray();
    expect(counters.reduce((acc, c) => acc + c.count, 0)).toBe(total);
    expect(await db.collection('checkpoints').countDocuments({ processor: 'test.leases' })).toBe(16);
    // Informative only (not asserted as a speed): the survivor took over after roughly the TTL.
    process.stderr.write(`lease takeover after kill: ${takeoverMs} ms (TTL 1500 ms)\n`);
    await delay(10);
  }, 150_000);
});
