import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestMongo, type TestMongo } from '@az-shop/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry } from '../../src/http/metrics';
import { createProcessor, type ProcessorEvent, type ProcessorMode } from '../../src/processor';
import { connect, delay, freePort, killed, quietLogger, startServerProcess, waitFor } from './helpers';

let mongo: TestMongo;
const serverProcesses: ChildProcess[] = [];
const dbPath = mkdtempSync(join(tmpdir(), 'proc-lag-'));

beforeAll(async () => {
  mongo = await startTestMongo();
});

afterAll(async () => {
  await mongo?.stop();
  // A failed test must not leave a server process behind.
  for (const child of serverProcesses) child.kill('SIGKILL');
  rmSync(dbPath, { recursive: true, force: true });
});

/** The processor's series of a gauge in the process registry (what /metrics serves). */
async function gauge(name: string, processor: string): Promise<number | undefined> {
  const metric = metricsRegistry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values.find((value) => value.labels.processor === processor)?.value;
}

interface Doc {
  _id: string;
  partition_key: string;
  stall?: boolean;
  poison?: boolean;
}

describe('processor lag, checkpoint age and readiness', () => {
  it.each<ProcessorMode>(['mongo', 'cosmos'])(
    '%s mode: a stalled handler makes the lag rise sample after sample while other keys go on, and fall after',
    async (mode) => {
      const db = mongo.freshDb();
      const name = `test.lag.${mode}`;
      const source = db.collection<Doc>('lag_source');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let stalled = false;
      let handled = 0;
      const processor = createProcessor<Doc>({
        name,
        db,
        collection: 'lag_source',
        logger: quietLogger,
        mode,
        skipCatchUp: true,
        replayPollMs: 0,
        maxLagSeconds: 2,
        checkpointIntervalMs: 200,
        handle: async (event: ProcessorEvent<Doc>) => {
          if (event.fullDocument?.stall) {
            stalled = true;
            await gate;
          }
          handled++;
        },
      });
      await processor.start();
      try {
        await waitFor(() => processor.status().state === 'streaming');
        await source.insertOne({ _id: 'warm-up', partition_key: 'a' });
        await waitFor(() => handled === 1);
        // A quiet stream is not lagging: its empty batches say nothing is left to read.
        await delay(2_000);
        for (let i = 0; i < 3; i++) {
          await delay(1_200);
          expect(await gauge('processor_lag_seconds', name)).toBeLessThan(2);
        }

        await source.insertOne({ _id: 'stuck', partition_key: 'stuck', stall: true });
        await waitFor(() => stalled);
        // Events keep arriving (and other keys keep being handled) while one handler hangs.
        let writing = true;
        const writer = (async () => {
          for (let i = 0; writing; i++) {
            await source.insertOne({ _id: `more-${i}`, partition_key: `k${i % 3}` });
            await delay(150);
          }
        })();
        const lags: number[] = [];
        const ages: number[] = [];
        for (let i = 0; i < 5; i++) {
          await delay(1_200);
          lags.push((await gauge('processor_lag_seconds', name)) ?? -1);
          ages.push((await gauge('processor_checkpoint_age_seconds', name)) ?? -1);
        }
        const handledDuringStall = handled;
        writing = false;
        await writer;

        for (let i = 1; i < lags.length; i++) expect(lags[i]).toBeGreaterThanOrEqual(lags[i - 1]!);
        expect(lags.at(-1)! - lags[0]!).toBeGreaterThan(2);
        expect(lags.at(-1)).toBeGreaterThan(2);
        expect(ages.at(-1)! - ages[0]!).toBeGreaterThan(2);
        expect(handledDuringStall).toBeGreaterThan(10);
        // Over the threshold: not ready, saying why (the details are for the internal port).
        const lagging = await processor.readiness()();
        expect(lagging.ok).toBe(false);
        expect(lagging.reason).toMatch(new RegExp(`processor ${name} lags [0-9.]+ s \\(over 2 s\\)`));

        release();
        await waitFor(async () => ((await gauge('processor_lag_seconds', name)) ?? 99) < 1.5, 15_000);
        await waitFor(async () => (await processor.readiness()()).ok, 15_000);
        await waitFor(
          async () => ((await gauge('processor_checkpoint_age_seconds', name)) ?? 99) < 3,
          15_000,
        );
      } finally {
        release();
        await processor.stop();
      }
      expect(await gauge('processor_lag_seconds', name)).toBe(0);
    },
  );

  it('a stream that can not read (the server down) makes the lag rise with nothing pending, and fall once back', async () => {
    const port = await freePort();
    let server = await startServerProcess(port, dbPath);
    serverProcesses.push(server.child);
    const { client, db } = await connect(server.uri, 'lag');
    const name = 'test.lag.down';
    let handled = 0;
    const processor = createProcessor<Doc>({
      name,
      db,
      collection: 'down_source',
      logger: quietLogger,
      skipCatchUp: true,
      replayPollMs: 0,
      handle: async () => {
        handled++;
      },
    });
    await processor.start();
    try {
      await waitFor(() => processor.status().state === 'streaming');
      await db.collection<Doc>('down_source').insertOne({ _id: 'before', partition_key: 'a' });
      await waitFor(() => handled === 1);
      server.child.kill('SIGKILL');
      await killed(server.child);
      const lags: number[] = [];
      for (let i = 0; i < 4; i++) {
        await delay(1_200);
        lags.push((await gauge('processor_lag_seconds', name)) ?? -1);
      }
      for (let i = 1; i < lags.length; i++) expect(lags[i]).toBeGreaterThanOrEqual(lags[i - 1]!);
      expect(lags.at(-1)! - lags[0]!).toBeGreaterThan(2);
      server = await startServerProcess(port, dbPath);
      serverProcesses.push(server.child);
      await db.collection<Doc>('down_source').insertOne({ _id: 'after', partition_key: 'a' });
      await waitFor(() => handled >= 2, 30_000);
      await waitFor(async () => ((await gauge('processor_lag_seconds', name)) ?? 99) < 2, 30_000);
    } finally {
      await processor.stop();
      await client.close();
    }
  });

  it('without a threshold, a lagging processor stays ready', async () => {
    const db = mongo.freshDb();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const processor = createProcessor<Doc>({
      name: 'test.lag.noThreshold',
      db,
      collection: 'lag_source',
      logger: quietLogger,
      skipCatchUp: true,
      replayPollMs: 0,
      handle: () => gate,
    });
    await processor.start();
    try {
      await waitFor(() => processor.status().state === 'streaming');
      await db.collection<Doc>('lag_source').insertOne({ _id: 'x', partition_key: 'x' });
      await waitFor(() => processor.status().lagSeconds > 1.5);
      expect((await processor.readiness()()).ok).toBe(true);
    } finally {
      release();
      await processor.stop();
    }
  });

  it('counts the parked backlog: parked events, less those replayed or discarded', async () => {
    const db = mongo.freshDb();
    const name = 'test.lag.parked';
    const processor = createProcessor<Doc>({
      name,
      db,
      collection: 'parked_source',
      logger: quietLogger,
      skipCatchUp: true,
      replayPollMs: 0,
      parkedSampleMs: 100,
      maxAttempts: 1,
      handle: async (event) => {
        if (event.fullDocument?.poison) throw new Error('poison');
      },
    });
    await processor.start();
    try {
      await waitFor(() => processor.status().state === 'streaming');
      await db.collection<Doc>('parked_source').insertMany([
        { _id: 'p1', partition_key: 'a', poison: true },
        { _id: 'ok', partition_key: 'b' },
        { _id: 'p2', partition_key: 'c', poison: true },
        { _id: 'p3', partition_key: 'd', poison: true },
      ]);
      await waitFor(async () => (await gauge('processor_parked_events', name)) === 3, 15_000);
      await db
        .collection('parked_events')
        .updateOne({ processor: name, 'event.documentKey._id': 'p2' }, { $set: { status: 'discarded' } });
      await db
        .collection('parked_events')
        .updateOne({ processor: name, 'event.documentKey._id': 'p3' }, { $set: { status: 'replayed' } });
      await waitFor(async () => (await gauge('processor_parked_events', name)) === 1, 15_000);
      // Counted every 10 s by every processor of every instance: by an index, not a collection scan.
      const indexes = await db.collection('parked_events').indexes();
      expect(indexes.find((index) => index.name === 'by_processor_status')?.key).toEqual({
        processor: 1,
        status: 1,
        parkedAt: 1,
      });
    } finally {
      await processor.stop();
    }
  });
});
