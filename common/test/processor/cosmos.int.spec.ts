import { type RunningMongoServer, startMongoServer } from '@az-shop/mongo-emulator';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry } from '../../src/http/metrics';
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
  }, 90_000);

  it('given MONGO_FLAVOUR=auto, then the server decides (its customAction answer); a set flavour wins', async () => {
    const [, processorDb] = freshDbs();
    const local = 'mongodb://127.0.0.1:1/x';
    expect(await resolveMongoFlavour({ setting: 'auto', connectionString: local, db: processorDb })).toBe(
      'cosmos',
    );
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
    await processor.stop();
  });
});
