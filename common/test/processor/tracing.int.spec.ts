import { startMongoServer } from '@az-shop/mongo-emulator';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessor, type ProcessorEvent } from '../../src/processor';
import { startTestTracing, type TestTracing } from '../../src/testing/tracing';
import { connect, quietLogger, waitFor } from './helpers';

const WRITER = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
let tracing: TestTracing;

beforeAll(async () => {
  tracing = await startTestTracing();
  server = await startMongoServer({ port: 0, inMemory: true });
  ({ client } = await connect(server.uri, 'unused'));
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  await tracing?.stop();
});

describe('processor spans', () => {
  it('continues the document’s trace in a consumer span per event, with retries and parking as span events', async () => {
    const db = client.db(`tracing_${process.pid}`);
    const attempts = new Map<string, number>();
    const processor = createProcessor({
      name: 'test.traced',
      db,
      collection: 'events',
      logger: quietLogger,
      maxAttempts: 3,
      retryBaseMs: 5,
      replayPollMs: 0,
      handle: async (event: ProcessorEvent) => {
        const doc = event.fullDocument as { _id: string; failures: number };
        const attempt = (attempts.get(doc._id) ?? 0) + 1;
        attempts.set(doc._id, attempt);
        if (attempt <= doc.failures) throw new Error(`${doc._id} failed (attempt ${attempt})`);
      },
    });
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming');
    await db.collection<{ _id: string } & Document>('events').insertMany([
      {
        _id: 'flaky',
        partition_key: 'a',
        failures: 2,
        traceparent: `00-${WRITER.traceId}-${WRITER.spanId}-01`,
      },
      { _id: 'poison', partition_key: 'b', failures: 99 },
    ]);
    const spanOf = (id: string) =>
      tracing.spans().find((span) => span.attributes['az_shop.document_id'] === id);
    await waitFor(() => spanOf('flaky') !== undefined && spanOf('poison') !== undefined);
    await processor.stop();

    const flaky = spanOf('flaky')!;
    expect(flaky.name).toBe('test.traced process');
    expect(flaky.kind).toBe(SpanKind.CONSUMER);
    expect(flaky.spanContext().traceId).toBe(WRITER.traceId);
    expect(flaky.parentSpanContext?.spanId).toBe(WRITER.spanId);
    expect(flaky.events.map((event) => [event.name, event.attributes?.['az_shop.attempt']])).toEqual([
      ['retry', 1],
      ['retry', 2],
    ]);
    expect(flaky.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(flaky.attributes).toMatchObject({
      'az_shop.processor': 'test.traced',
      'az_shop.partition_key': 'a',
      'az_shop.operation': 'insert',
      'messaging.destination.name': 'events',
    });

    const poison = spanOf('poison')!;
    expect(poison.parentSpanContext).toBeUndefined(); // no traceparent: a trace of its own
    expect(poison.events.map((event) => event.name)).toEqual(['retry', 'retry', 'parked']);
    expect(poison.events.at(-1)?.attributes).toMatchObject({
      'az_shop.attempt': 3,
      'exception.message': 'poison failed (attempt 3)',
    });
    expect(poison.status.code).toBe(SpanStatusCode.ERROR);
  });
});
