/**
 * Loaded before the service with `node --import ./<service>/dist/telemetry.js` (pm2.config.js, the
 * container's CMD): the instrumentations patch modules as they load, so the SDK must start before the
 * app imports them. With tracing off (no `OTEL_TRACES_EXPORTER` / OTLP endpoint / `TRACE_STORE`) it
 * does nothing.
 */
import { register } from 'node:module';
import { findEnvFile, readEnvFile } from '../config/load-config';
import { localStoreOnly, serviceNameOf, traceStoreUri, tracingEnabled } from './settings';

// Outside production the service reads its settings from the env file too (loadConfig): so does this,
// before the service does. The real environment wins; the SDK reads its OTEL_* from process.env.
if (process.env.NODE_ENV !== 'production') {
  for (const [key, value] of Object.entries(readEnvFile(process.env.ENV_FILE ?? findEnvFile()))) {
    if (/^(OTEL_|TRACE_STORE$|MONGO_DB$)/.test(key)) process.env[key] ??= value;
  }
}

if (tracingEnabled(process.env)) {
  const storeUri = traceStoreUri(process.env);
  const serviceName = serviceNameOf(process.env, process.argv[1]);
  // Flushed by the service's own shutdown (lifecycle.ts: flushTelemetry) before it exits.
  if (storeUri && localStoreOnly(process.env)) {
    // The local store alone (dev): the spans the waterfall draws, at the least start-up cost. No Node
    // SDK, whose exporters this never uses, and no loader hook below: log lines carry no trace id
    // (local-sdk.ts, docs/observability.md). An exporter or endpoint asks for the full set.
    const { startLocalTelemetry } = await import('./local-sdk');
    await startLocalTelemetry({ serviceName, spanProcessors: await localStore(storeUri) });
  } else {
    // The bundle imports pino as an ES module, which only this loader hook lets the instrumentation
    // patch (CommonJS requires, like the driver's and Fastify's, are patched without it). Limited to
    // pino, so every other module loads untouched; every import still passes through the hook's
    // thread, up to a second of a start on the 2-core dev machine.
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['pino'] } });
    const { startTelemetry } = await import('./sdk');
    await startTelemetry({ serviceName, ...(storeUri && { spanProcessors: await localStore(storeUri) }) });
  }
}

/** Dev only: spans batched into the local store (`trace_spans`) instead of an exporter. */
async function localStore(uri: string) {
  const [{ BatchSpanProcessor }, { MongoSpanExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('./mongo-span-exporter'),
  ]);
  return [new BatchSpanProcessor(new MongoSpanExporter(uri), { scheduledDelayMillis: 500 })];
}
