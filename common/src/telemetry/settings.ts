import { basename, dirname } from 'node:path';

type Env = Record<string, string | undefined>;

/**
 * Whether the services trace, from the standard OpenTelemetry variables: on when an exporter is named
 * (`OTEL_TRACES_EXPORTER`, other than `none`) or an OTLP endpoint is given, or (dev only) the local
 * span store is asked for; never with `OTEL_SDK_DISABLED=true`. Off, the SDK is not even loaded.
 */
export function tracingEnabled(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (traceStoreUri(env)) return true;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (exporters.length > 0) return !exporters.every((name) => name === 'none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** Whether a `TRACE_STORE` value asks for the local span store (`mongo`, in any case). */
export function asksForTraceStore(value: unknown): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === 'mongo';
}

/**
 * Where the dev-only local span store is (`TRACE_STORE=mongo`: the services' own database, MONGO_DB);
 * undefined when not asked for, and always in production, where traces go to the collector (and
 * `loadConfig` refuses to start with it: production-rules.ts).
 */
export function traceStoreUri(env: Env): string | undefined {
  if (!asksForTraceStore(env.TRACE_STORE) || env.NODE_ENV === 'production') return undefined;
  return env.MONGO_DB?.trim() || undefined;
}

/**
 * Whether the local span store is the only place spans go (dev: `TRACE_STORE=mongo`, no exporter or
 * OTLP endpoint named): then the services start a bare tracer provider rather than the Node SDK
 * (local-sdk.ts). Never in production, which has no local store.
 */
export function localStoreOnly(env: Env): boolean {
  return (
    tracingEnabled(env) &&
    traceStoreUri(env) !== undefined &&
    !tracingEnabled({ ...env, TRACE_STORE: undefined })
  );
}

/**
 * `service.name`: `OTEL_SERVICE_NAME` when set, else the workspace of the started script
 * (`/app/web/dist/main.js` → `web`), else `SERVICE` (the container's; pm2.config.js sets it too, as
 * under pm2 the started script is pm2's own).
 */
export function serviceNameOf(env: Env, script: string | undefined): string {
  const named = env.OTEL_SERVICE_NAME?.trim();
  if (named) return named;
  if (script && basename(dirname(script)) === 'dist') return basename(dirname(dirname(script)));
  return env.SERVICE?.trim() || 'az-shop';
}
