import { context, propagation, trace } from '@opentelemetry/api';
import { BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { flushTelemetry } from './flush';
import { startTelemetry, type Telemetry } from './sdk';

describe('flushTelemetry', () => {
  let telemetry: Telemetry | undefined;
  afterAll(async () => {
    await telemetry?.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('given tracing off, then it does nothing (and does not throw)', async () => {
    await expect(flushTelemetry()).resolves.toBeUndefined();
  });

  it('given the SDK batching spans, then the ones still buffered are exported before the exit', async () => {
    const exporter = new InMemorySpanExporter();
    // A batch not due for a minute: only a flush exports it.
    const batch = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 });
    telemetry = await startTelemetry({ serviceName: 'flush-test', spanProcessors: [batch] });
    trace.getTracer('test').startSpan('last words').end();
    expect(exporter.getFinishedSpans()).toHaveLength(0);

    await flushTelemetry();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['last words']);
  });
});
