import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Paths probes and scrapers call every few seconds: no trace of their own. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

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
 * Starts the OpenTelemetry Node SDK with the maintained instrumentations: HTTP (server and client),
 * Fastify (`@fastify/otel`, hooked on every Fastify instance created after this), the MongoDB driver
 * and pino (trace_id/span_id on log lines). Exporter, sampler and resource come from the standard
 * `OTEL_*` variables. The packages load only here, so a service with tracing off never loads them.
 */
export async function startTelemetry(options: TelemetryOptions = {}): Promise<Telemetry> {
  const [
    { NodeSDK },
    { HttpInstrumentation },
    { MongoDBInstrumentation },
    { PinoInstrumentation },
    fastifyOtel,
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-mongodb'),
    import('@opentelemetry/instrumentation-pino'),
    import('@fastify/otel'),
  ]);
  // Traces only: metrics are Prometheus at /metrics and logs pino's JSON lines, so the SDK's metric
  // and log exporters (OTLP by default) stay off unless the environment asks for them.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const instrumentations = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
    }),
    new fastifyOtel.FastifyOtelInstrumentation({
      registerOnInitialization: true,
      // The request and its handler; a span per hook (web runs a dozen per request) cost a quarter of
      // a checkout's median time in the benchmark and told little.
      instrumentHooks: false,
      ignorePaths: (route: { url: string }) => UNTRACED_PATHS.has(route.url),
    }),
    new MongoDBInstrumentation(),
    // Correlation only: the log lines stay on stdout, not exported as OTel logs.
    new PinoInstrumentation({ disableLogSending: true }),
  ];
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
