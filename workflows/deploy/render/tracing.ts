// Where the services' traces go: the OpenTelemetry Collector of the namespace (otel-collector.ts),
// and how many of them. The names live here so the pods (pod.ts) and the collector agree on them.
import type { Release } from './pod';
import type { Service } from './values';

export const COLLECTOR = 'otel-collector';
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;
/** The collector's health_check extension, which its probes call. */
export const COLLECTOR_HEALTH_PORT = 13133;

/** The collector's OTLP/HTTP address: the SDK's default protocol (http/protobuf) appends /v1/traces. */
export function collectorEndpoint(release: Release): string {
  return `http://${COLLECTOR}.${release.values.namespace}.svc.cluster.local:${OTLP_HTTP_PORT}`;
}

/**
 * The standard OTEL_* variables of a service's pods (common/src/telemetry reads nothing else): the
 * endpoint turns tracing on; parent-based ratio sampling decides once, where a trace starts, and every
 * later hop (the processors continue the trace a document carries) follows that decision, so a kept
 * order's trace is whole. The service name is set although the SDK would infer it from the started
 * script, so the Application Map's roles never depend on the container's command line.
 */
export function tracingEnv(release: Release, service: Service): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorEndpoint(release),
    OTEL_SERVICE_NAME: service,
    OTEL_RESOURCE_ATTRIBUTES: `service.version=${release.tag},deployment.environment.name=production,az_shop.colour=${release.colour}`,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(release.values.tracing.sampleRatio),
  };
}
