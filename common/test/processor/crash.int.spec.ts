import type { ChildProcess } from 'node:child_process';
import { startMongoServer } from '@az-shop/mongo-emulator';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, delay, insertEvents, killed, runFixture, waitFor } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  ({ client, db } = await connect(server.uri, `crash_${process.pid}`));
});

const spawned: ChildProcess[] = [];

afterAll(async () => {
  // A failed test must not leave a fixture process behind.
  for (const child of spawned) child.kill('SIGKILL');
  await client?.close();
  await server?.stop();
});

async function started(child: ChildProcess): Promise<void> {
  spawned.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      if (data.toString().includes('started')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`fixture exited early (${code ?? signal})`)));
  });
}

describe('crash safety', () => {
  it('SIGKILLed at random moments (>= 5 times) during a 5,000-event burst: every effect applied exactly once', async () => {
    const env = { MONGO_URI: server.uri, DB_NAME: db.databaseName, NAME: 'test.crash' };
    const total = 5000;
    let child = runFixture('ledger-processor.ts', env);
    await started(child);

    let writing = true;
    const writer = (async () => {
      for (let from = 0; from < total; from += 100) {
        await insertEvents(db, 'events', from, 100, 50, 100);
        await delay(30);
      }
      writing = false;
    })();

    let kills = 0;
    while (writing || kills < 5) {
      await delay(250 + Math.random() * 600);
      child.kill('SIGKILL');
      await killed(child);
      kills++;
      child = runFixture('ledger-processor.ts', env);
      await started(child);
    }
    await writer;

    const ledger = db.collection('ledger');
    await waitFor(
      async () => (await ledger.countDocuments()) === total,
      90_000,
      async () => `ledger ${await ledger.countDocuments()}`,
    );
    // Let the last re-deliveries settle before reading the counters.
    await delay(500);
    child.kill('SIGTERM');
    await killed(child);

    expect(kills).toBeGreaterThanOrEqual(5);
    const counters = await db
      .collection<{ _id: string; count: number; _applied: string[] }>('counters')
      .find()
      .toArray();
    const sum = counters.reduce((acc, c) => acc + c.count, 0);
    expect(sum).toBe(total);
    for (const counter of counters) expect(new Set(counter._applied).size).toBe(counter.count);
    const missing = await db
      .collection('events')
      .countDocuments({ _id: { $nin: await ledger.distinct('_id') } });
    expect(missing).toBe(0);
  }, 180_000);
});
