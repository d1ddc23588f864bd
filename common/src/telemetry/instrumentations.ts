import type { Instrumentation } from '@opentelemetry/instrumentation';

/** Paths probes and scrapers call every few seconds: no trace of their own. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The maintained instrumentations every service runs with: HTTP (server and client), Fastify
 * (`@fastify/otel`, hooked on every Fastify instance created after this), the MongoDB driver and pino
 * (trace_id/span_id on log lines). Loaded here, so a service with tracing off never loads them.
 */
export async function serviceInstrumentations(): Promise<Instrumentation[]> {
  const [{ HttpInstrumentation }, { MongoDBInstrumentation }, { PinoInstrumentation }, fastifyOtel] =
    await Promise.all([
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-mongodb'),
      import('@opentelemetry/instrumentation-pino'),
      import('@fastify/otel'),
    ]);
  return [
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
}
