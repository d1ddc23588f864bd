/**
 * Loaded before the service with `node --import ./<service>/dist/telemetry.js` (pm2.config.js, the
 * container's CMD): the instrumentations patch modules as they load, so the SDK must start before the
 * app imports them. With tracing off (no `OTEL_TRACES_EXPORTER` / OTLP endpoint) it does nothing.
 */
import { register } from 'node:module';
import { serviceNameOf, tracingEnabled } from './settings';

if (tracingEnabled(process.env)) {
  // The bundle imports pino as an ES module, which only this loader hook lets the instrumentation
  // patch (CommonJS requires, like the driver's and Fastify's, are patched without it). Limited to
  // pino, so every other module loads untouched.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['pino'] } });
  const { startTelemetry } = await import('./sdk');
  // Flushed by the service's own shutdown (lifecycle.ts: flushTelemetry) before it exits.
  await startTelemetry({ serviceName: serviceNameOf(process.env, process.argv[1]) });
}
