import { trace } from '@opentelemetry/api';

/**
 * Exports the spans still buffered (the SDK batches them), when the SDK runs; nothing otherwise.
 * Called by the shutdown (lifecycle.ts) before `process.exit`, which would drop them.
 */
export async function flushTelemetry(): Promise<void> {
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const provider = (proxy.getDelegate?.() ?? proxy) as { forceFlush?: () => Promise<void> };
  await provider.forceFlush?.();
}
