import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startMongoServer } from '@az-shop/mongo-emulator';
import type { Document } from 'mongodb';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createProcessor, listParked } from '../../src/processor';
import {
  connect,
  delay,
  freePort,
  insertEvents,
  killed,
  quietLogger,
  startServerProcess,
  waitFor,
} from './helpers';

const dbPath = mkdtempSync(join(tmpdir(), 'proc-restart-'));

const serverProcesses: ChildProcess[] = [];

afterAll(() => {
  // A failed test must not leave a server process behind.
  for (const child of serverProcesses) child.kill('SIGKILL');
  rmSync(dbPath, { recursive: true, force: true });
});

/** A logger that keeps its records, to assert on what the processor reported. */
function capturingLogger() {
  const records: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) records.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), records };
}

describe('dev Mongo restarted mid-stream', () => {
  it('server killed and restarted mid-stream: the processor reconnects and resumes without loss, nothing parked', async () => {
    const port = await freePort();
    let server = await startServerProcess(port, dbPath);
    serverProcesses.push(server.child);
    const { client, db } = await connect(server.uri, 'restart');
    const ledger = db.collection<{ _id: string }>('ledger');
    const processor = createProcessor({
      name: 'test.restart',
      db,
      collection: 'events',
      logger: quietLogger,
      concurrency: 4,
      checkpointIntervalMs: 100,
      handle: async (event) => {
        await delay(1);
        const _id = (event.fullDocument as { _id: string })._id;
        await ledger.updateOne({ _id }, { $set: { at: new Date() } }, { upsert: true });
      },
    });
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming');
    await insertEvents(db, 'events', 0, 1000, 20);
    await waitFor(async () => (await ledger.countDocuments()) >= 300);
    // Kill the server mid-stream (events still queued and in flight), then start it again on the
    // same port and data. SIGKILL, not SIGTERM: see docs/processor.md (a graceful emulator stop
    // under concurrent writes can leave the driver's monitor stuck; reported to the emulator).
    server.child.kill('SIGKILL');
    await killed(server.child);
    const handledWhileDown = await Promise.race([
      ledger.countDocuments().catch(() => -1),
      delay(300).then(() => -1),
    ]);
    server = await startServerProcess(port, dbPath);
    serverProcesses.push(server.child);
    await insertEvents(db, 'events', 1000, 1000, 20);
    await waitFor(
      async () => (await ledger.countDocuments()) === 2000,
      90_000,
      async () => `ledger ${await ledger.countDocuments()}`,
    );
    expect(handledWhileDown).toBe(-1);
    expect(await listParked(db, 'test.restart')).toEqual([]);
    await processor.stop();
    await client.close();
    server.child.kill('SIGTERM');
    await killed(server.child);
  }, 120_000);

  it('history lost (checkpoint older than the change log): logged at error level, falls back to catch-up', async () => {
    const server = await startMongoServer({ port: 0, inMemory: true, oplogMaxEntries: 50 });
    const { client, db } = await connect(server.uri, 'history');
    const seen = new Set<string>();
    const { logger, records } = capturingLogger();
    const options = {
      name: 'test.history',
      db,
      collection: 'events',
      logger,
      handle: async (event: { fullDocument: Document | null }) => {
        seen.add((event.fullDocument as { _id: string })._id);
      },
    };
    let processor = createProcessor(options);
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming');
    await insertEvents(db, 'events', 0, 20, 5);
    await waitFor(() => seen.size === 20);
    await processor.stop();
    // While it is down, far more changes than the change log keeps.
    await insertEvents(db, 'events', 20, 300, 5);
    seen.clear();
    processor = createProcessor(options);
    await processor.start();
    await waitFor(
      () => seen.size === 320,
      60_000,
      () => `seen ${seen.size}`,
    );
    await waitFor(async () => (await processor.readiness()()).ok);
    await processor.stop();
    const lost = records.filter((r) => r.level >= 50 && /history lost/.test(r.msg));
    expect(lost.length).toBeGreaterThanOrEqual(1);
    await client.close();
    await server.stop();
  }, 60_000);
});
