import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { serviceInstrumentations } from './instrumentations';
import type { Telemetry } from './sdk';

/**
 * Tracing into the local span store alone (dev: `TRACE_STORE=mongo`, no exporter named): a tracer
 * provider with the services' instrumentations and the given span processors, without the Node SDK.
 * The SDK loads every exporter it might be asked for (OTLP over gRPC, HTTP and protobuf, Zipkin…),
 * over a second of a service's start on this project's dev machine: a cost every restart of
 * `npm run dev` paid for exporters the local store never uses. Spans, context (AsyncLocalStorage),
 * W3C propagation, the sampler (`OTEL_TRACES_SAMPLER`) and `OTEL_RESOURCE_ATTRIBUTES` are as the
 * SDK's; `service.name` is `serviceName`. register.ts installs no loader hook for it, so pino (an ES
 * import in the bundles) is not patched: log lines carry no trace id, which the waterfall never reads.
 */
export async function startLocalTelemetry(options: {
  serviceName: string;
  spanProcessors: SpanProcessor[];
}): Promise<Telemetry> {
  const [{ NodeTracerProvider }, { registerInstrumentations }, resources, instrumentations] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/instrumentation'),
      import('@opentelemetry/resources'),
      serviceInstrumentations(),
    ]);
  const resource = resources
    .defaultResource()
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
    .merge(resources.resourceFromAttributes({ 'service.name': options.serviceName }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: options.spanProcessors });
  provider.register();
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations });
  return {
    async shutdown() {
      await provider.shutdown();
      unregister();
    },
  };
}
