import { type RunningMongoServer, startMongoServer } from '@az-shop/mongo-emulator';
import { type Db, MongoClient } from 'mongodb';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry } from '../../src/http/metrics';
import { mongoReadiness } from '../../src/mongo/connect-mongo';
import { resolveMongoFlavour } from '../../src/mongo/flavour';
import { createProcessor, type ProcessorEvent } from '../../src/processor';
import { connect, insertEvents, quietLogger, type SourceDoc, waitFor } from './helpers';

const APP = 'processor-under-test';

async function metricSum(name: string, label?: Record<string, string>): Promise<number | undefined> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get();
  const values = (metric?.values ?? []).filter((v) =>
    Object.entries(label ?? {}).every(([k, value]) => v.labels[k] === value),
  );
  return values.length ? values.reduce((sum, v) => sum + v.value, 0) : undefined;
}

describe('a processor against the dev server behaving like Cosmos DB', () => {
  let server: RunningMongoServer;
  let writer: MongoClient;
  let processorClient: MongoClient;
  let n = 0;
  const freshDbs = (): [Db, Db] => {
    const name = `cosmos_${process.pid}_${n++}`;
    return [writer.db(name), processorClient.db(name)];
  };

  beforeAll(async () => {
    // 10 % of the processor's own commands (reads, getMores, checkpoints, leases, its handler's writes)
    // answer 16500; the test's writes do not.
    server = await startMongoServer({
      port: 0,
      inMemory: true,
      cosmos: { throttleRate: 0.1, retryAfterMs: 3, throttleAppNames: [APP] },
    });
    ({ client: writer } = await connect(server.uri, 'unused'));
    processorClient = new MongoClient(server.uri, { appName: APP, maxPoolSize: 40 });
    await processorClient.connect();
  });
  afterAll(async () => {
    await processorClient?.close();
    await writer?.close();
    await server?.stop();
  });

  it('given throttling of its commands and its handler, when 400 events arrive over 4 leased buckets, then each is handled in per-key order, none parked, throttling counted, lag and readiness reported', async () => {
    const [db, processorDb] = freshDbs();
    const lastSeq = new Map<string, number>();
    const violations: string[] = [];
    const seen = new Set<string>();
    const processor = createProcessor({
      name: 'test.cosmosThrottled',
      db: processorDb,
      collection: 'events',
      mode: 'cosmos',
      leases: { buckets: 4, ttlMs: 3000 },
      // One attempt: an event whose handler failed for any other reason than throttling would be parked.
      maxAttempts: 1,
      logger: quietLogger,
      handle: async (event: ProcessorEvent) => {
        const doc = event.fullDocument as SourceDoc;
        // Re-delivery (a reconnect, a catch-up redone) is allowed; a first delivery out of order is not.
        if (!seen.has(doc._id) && doc.seq < (lastSeq.get(doc.partition_key) ?? -1))
          violations.push(`${doc._id} after ${lastSeq.get(doc.partition_key)} (${event.source})`);
        seen.add(doc._id);
        lastSeq.set(doc.partition_key, Math.max(doc.seq, lastSeq.get(doc.partition_key) ?? -1));
        // The handler's own write goes through the throttled client too.
        await processorDb
          .collection<{ _id: string }>('ledger')
          .updateOne({ _id: doc._id }, { $set: { seq: doc.seq } }, { upsert: true });
      },
    });
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming' && processor.status().buckets.length === 4);
    await insertEvents(db, 'events', 0, 400, 40);
    await waitFor(
      async () => (await db.collection('ledger').countDocuments()) === 400,
      60_000,
      async () => `ledger ${await db.collection('ledger').countDocuments()}`,
    );
    // Throttling is load, not an outage: readiness stays ok (a throttled stream keeps its state).
    await waitFor(async () => (await processor.readiness()()).ok);
    const readiness = await processor.readiness()();
    // Sampled while running (stop sets it to 0): all handled, so only the last empty read's age.
    const lagWhileIdle = await metricSum('processor_lag_seconds', { processor: 'test.cosmosThrottled' });
    await processor.stop();

    expect(violations).toEqual([]);
    expect(await db.collection('parked_events').countDocuments()).toBe(0);
    expect(await metricSum('mongo_throttled_total', { component: 'test.cosmosThrottled' })).toBeGreaterThan(
      0,
    );
    // No cluster time in cosmos mode: the lag is the bound from the stream's last empty read.
    expect(
      await metricSum('processor_lag_seconds', { processor: 'test.cosmosThrottled' }),
    ).toBeGreaterThanOrEqual(0);
    expect(readiness).toMatchObject({ ok: true, details: { mode: 'cosmos', state: 'streaming' } });
    expect(lagWhileIdle).toBeGreaterThanOrEqual(0);
    expect(lagWhileIdle).toBeLessThan(10);
    expect((readiness.details as { lagSeconds: number }).lagSeconds).toBeLessThan(10);
  }, 90_000);

  it('given a stream throttled before its first event (cosmos mode opens at "now"), when documents are written during the back-off, then none is lost', async () => {
    const options = { throttleRate: 0, throttleAppNames: [`${APP}-gap`] };
    const gapServer = await startMongoServer({ port: 0, inMemory: true, cosmos: options });
    const gapWriter = new MongoClient(gapServer.uri);
    const gapClient = new MongoClient(gapServer.uri, { appName: `${APP}-gap` });
    try {
      await gapWriter.connect();
      await gapClient.connect();
      const seen = new Set<string>();
      const processor = createProcessor({
        name: 'test.cosmosGap',
        db: gapClient.db('gap'),
        collection: 'events',
        mode: 'cosmos',
        logger: quietLogger,
        handle: async (event) => {
          seen.add(String(event.documentKey._id));
        },
      });
      await processor.start();
      await waitFor(() => processor.status().state === 'streaming');
      // Every command of the processor refused from now on; the getMore in flight ends empty (1 s).
      options.throttleRate = 1;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await insertEvents(gapWriter.db('gap'), 'events', 0, 50, 5);
      options.throttleRate = 0;
      await waitFor(
        () => seen.size === 50,
        30_000,
        () => `handled ${seen.size} of 50`,
      );
      await processor.stop();
    } finally {
      await gapClient.close();
      await gapWriter.close();
      await gapServer.stop();
    }
  }, 60_000);

  it('given MONGO_FLAVOUR=auto, then the server decides (its customAction answer); a set flavour wins; the log and readiness say which', async () => {
    const [, processorDb] = freshDbs();
    const local = 'mongodb://127.0.0.1:1/x';
    const lines: { msg: string; flavour: string; from: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const flavour = await resolveMongoFlavour({
      setting: 'auto',
      connectionString: local,
      db: processorDb,
      logger,
    });
    expect(flavour).toBe('cosmos');
    expect(lines).toMatchObject([
      { msg: 'MongoDB flavour: cosmos (processors run in cosmos mode)', flavour: 'cosmos', from: 'server' },
    ]);
    expect(await mongoReadiness(processorDb, flavour)()).toEqual({
      ok: true,
      details: { flavour: 'cosmos' },
    });
    expect(await resolveMongoFlavour({ setting: 'mongo', connectionString: local, db: processorDb })).toBe(
      'mongo',
    );
    const plain = await startMongoServer({ port: 0, inMemory: true });
    const client = new MongoClient(plain.uri);
    try {
      await client.connect();
      expect(
        await resolveMongoFlavour({ setting: 'auto', connectionString: local, db: client.db('x') }),
      ).toBe('mongo');
      // The host alone names Cosmos DB: no need to ask the server.
      expect(
        await resolveMongoFlavour({
          setting: 'auto',
          connectionString: 'mongodb://a.mongo.cosmos.azure.com:10255/',
          db: client.db('x'),
        }),
      ).toBe('cosmos');
    } finally {
      await client.close();
      await plain.stop();
    }
  });

  it('given mongo mode against Cosmos DB, then its stream is refused (what the setting prevents)', async () => {
    const [, processorDb] = freshDbs();
    const processor = createProcessor({
      name: 'test.mongoOnCosmos',
      db: processorDb,
      collection: 'events',
      mode: 'mongo',
      logger: quietLogger,
      handle: async () => undefined,
    });
    await processor.start();
    await waitFor(() => (processor.status().lastError ?? '').includes('Cosmos DB'));
    expect(processor.status().state).not.toBe('streaming');
    expect((await processor.readiness()()).ok).toBe(false);
    await processor.stop();
  });
});
