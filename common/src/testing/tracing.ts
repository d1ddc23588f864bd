import { context, propagation, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from '../telemetry/sdk';

export type { ReadableSpan };

export interface TestTracing {
  /** Every span ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  stop(): Promise<void>;
}

/**
 * The real SDK with the services' instrumentations, exporting to memory (the SDK's own
 * InMemorySpanExporter) at each span's end, and to `alsoTo` (the local span store). Start it before
 * the app and processors are built.
 */
export async function startTestTracing(options: { alsoTo?: SpanExporter[] } = {}): Promise<TestTracing> {
  const exporter = new InMemorySpanExporter();
  const telemetry = await startTelemetry({
    serviceName: 'az-shop-test',
    spanProcessors: [exporter, ...(options.alsoTo ?? [])].map((to) => new SimpleSpanProcessor(to)),
  });
  return {
    spans: () => exporter.getFinishedSpans(),
    async stop() {
      await telemetry.shutdown();
      // Leave no global provider behind for the next test file in this process.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
