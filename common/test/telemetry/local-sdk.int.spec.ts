// The dev tracer (TRACE_STORE=mongo alone, register.ts): no Node SDK, yet the same spans reach the
// local store the back office's waterfall reads, named by service, continuing an incoming traceparent.
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalTelemetry } from '../../src/telemetry/local-sdk';
import { MongoSpanExporter } from '../../src/telemetry/mongo-span-exporter';
import type { Telemetry } from '../../src/telemetry/sdk';
import { TRACE_SPANS } from '../../src/telemetry/stored-span';
import { eventually, startTestMongo, type TestMongo } from '../../src/testing';

let mongo: TestMongo;
let telemetry: Telemetry;
const memory = new InMemorySpanExporter();

beforeAll(async () => {
  mongo = await startTestMongo();
});

afterAll(async () => {
  await telemetry?.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
  await mongo?.stop();
});

describe('startLocalTelemetry', () => {
  it('given a request carrying a traceparent, then its spans continue that trace, named by service, in the local store', async () => {
    const db = mongo.freshDb();
    const uri = new URL(mongo.uri);
    uri.pathname = `/${db.databaseName}`;
    telemetry = await startLocalTelemetry({
      serviceName: 'web',
      spanProcessors: [
        new SimpleSpanProcessor(memory),
        new SimpleSpanProcessor(new MongoSpanExporter(uri.href)),
      ],
    });
    // After the tracer: @fastify/otel hooks each Fastify instance as it is created.
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    app.get('/traced', async () =>
      trace.getTracer('test').startActiveSpan('work', (span) => {
        span.end();
        return 'ok';
      }),
    );
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const answer = await fetch(`${address}/traced`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(await answer.text()).toBe('ok');
    await app.close();

    const spans = memory.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    expect(spans.map((span) => span.name)).toContain('work');
    expect(spans.length).toBeGreaterThan(1);
    for (const span of spans) expect(span.resource.attributes['service.name']).toBe('web');
    const stored = db.collection(TRACE_SPANS);
    await eventually(async () => (await stored.countDocuments({ traceId })) === spans.length, {
      what: 'the spans in the local store',
    });
    expect(await stored.distinct('service', { traceId })).toEqual(['web']);
  });
});
