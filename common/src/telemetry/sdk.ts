import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { serviceInstrumentations } from './instrumentations';

export interface Telemetry {
  /** Exports what is buffered and stops (on shutdown, after the app closed). */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  serviceName?: string;
  /** Instead of the exporters the `OTEL_*` variables name (tests: an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

/**
 * Starts the OpenTelemetry Node SDK with the services' instrumentations (instrumentations.ts).
 * Exporter, sampler and resource come from the standard `OTEL_*` variables. The packages load only
 * here, so a service with tracing off never loads them.
 */
export async function startTelemetry(options: TelemetryOptions = {}): Promise<Telemetry> {
  const [{ NodeSDK }, instrumentations] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    serviceInstrumentations(),
  ]);
  // Traces only: metrics are Prometheus at /metrics and logs pino's JSON lines, so the SDK's metric
  // and log exporters (OTLP by default) stay off unless the environment asks for them.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    ...(options.serviceName && { serviceName: options.serviceName }),
    ...(options.spanProcessors && { spanProcessors: options.spanProcessors }),
    instrumentations,
  });
  sdk.start();
  return {
    async shutdown() {
      await sdk.shutdown();
      // The SDK leaves its instrumentations' patches in place; a stopped telemetry patches nothing.
      for (const instrumentation of instrumentations) instrumentation.disable();
    },
  };
}
