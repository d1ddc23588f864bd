// The OpenTelemetry Collector the services export their traces to (OTLP), which exports them to Azure
// Monitor (Application Insights) with the contrib image's azuremonitor exporter. One per namespace,
// shared by both colours: each release renders the same objects, so applying them again changes nothing
// unless the collector's own values did.
import { createHash } from 'node:crypto';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { Service } from 'kubernetes-models/v1/Service';
import { stringify } from 'yaml';
import {
  labels,
  metadata,
  type Release,
  SERVICE_ACCOUNT,
  secretName,
  selector,
  topologySpread,
  volumeMounts,
  volumes,
} from './pod';
import { COLLECTOR, COLLECTOR_HEALTH_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT } from './tracing';

/** The user the contrib image runs as (its Dockerfile: `USER 10001`); not the shop images' 1000. */
export const COLLECTOR_USER = 10001;
const CONFIG_DIR = '/etc/otelcol-contrib';
const CONFIG_FILE = 'config.yaml';
const CONNECTION_STRING = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

/** The collector's configuration, as the collector reads it. */
export function collectorConfig() {
  return {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
          http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: {
      // First in the pipeline: refuses data (the SDKs retry) before the pod reaches its memory limit.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
      batch: { send_batch_size: 1024, timeout: '5s' },
    },
    exporters: {
      // Expanded by the collector from its env (the Key Vault secret): never in the ConfigMap.
      azuremonitor: { connection_string: `\${env:${CONNECTION_STRING}}` },
    },
    extensions: {
      // On the pod's address, not the default localhost, so the kubelet's probes reach it.
      health_check: { endpoint: `0.0.0.0:${COLLECTOR_HEALTH_PORT}` },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['azuremonitor'] },
      },
      telemetry: { logs: { encoding: 'json' } },
    },
  };
}

export function collectorConfigMap(release: Release) {
  return new ConfigMap({
    metadata: metadata(release, COLLECTOR, COLLECTOR),
    data: { [CONFIG_FILE]: stringify(collectorConfig()) },
  });
}

/** `<image>:<tag>`, with `@sha256:…` when the values pin a digest. */
export function collectorImage(release: Release): string {
  const { image, tag, digest } = release.values.tracing.collector;
  return `${image}:${tag}${digest ? `@${digest}` : ''}`;
}

const securityContext: ISecurityContext = {
  runAsNonRoot: true,
  runAsUser: COLLECTOR_USER,
  runAsGroup: COLLECTOR_USER,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function healthProbe(overrides: IProbe): IProbe {
  return { httpGet: { path: '/', port: 'health', scheme: 'HTTP' }, timeoutSeconds: 2, ...overrides };
}

export function collectorDeployment(release: Release) {
  const { collector } = release.values.tracing;
  const config = collectorConfigMap(release).data?.[CONFIG_FILE] ?? '';
  return new Deployment({
    metadata: metadata(release, COLLECTOR, COLLECTOR),
    spec: {
      replicas: collector.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selector(COLLECTOR) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...labels(COLLECTOR), 'azure.workload.identity/use': 'true' },
          // A changed config rolls the pods (the collector reads it only at start).
          annotations: { 'az-shop/config-sha256': createHash('sha256').update(config).digest('hex') },
        },
        spec: {
          // The app identity reads the Key Vault secret through the CSI driver, as the services do.
          serviceAccountName: SERVICE_ACCOUNT,
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: COLLECTOR_USER,
            runAsGroup: COLLECTOR_USER,
            fsGroup: COLLECTOR_USER,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          terminationGracePeriodSeconds: 30,
          topologySpreadConstraints: topologySpread(COLLECTOR, 'pod-template-hash'),
          volumes: [...volumes(COLLECTOR), { name: 'config', configMap: { name: COLLECTOR } }],
          containers: [
            {
              name: COLLECTOR,
              image: collectorImage(release),
              imagePullPolicy: 'IfNotPresent',
              args: [`--config=${CONFIG_DIR}/${CONFIG_FILE}`],
              ports: [
                { name: 'otlp-grpc', containerPort: OTLP_GRPC_PORT, protocol: 'TCP' },
                { name: 'otlp-http', containerPort: OTLP_HTTP_PORT, protocol: 'TCP' },
                { name: 'health', containerPort: COLLECTOR_HEALTH_PORT, protocol: 'TCP' },
              ],
              env: [
                {
                  name: CONNECTION_STRING,
                  valueFrom: { secretKeyRef: { name: secretName(COLLECTOR), key: CONNECTION_STRING } },
                },
              ],
              startupProbe: healthProbe({ periodSeconds: 2, failureThreshold: 30 }),
              readinessProbe: healthProbe({ periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 3 }),
              livenessProbe: healthProbe({ periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 }),
              // The Service drops the pod before SIGTERM; the collector then flushes its batch and stops.
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              resources: collector.resources,
              securityContext,
              volumeMounts: [...volumeMounts, { name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
            },
          ],
        },
      },
    },
  });
}

/** OTLP only (gRPC and HTTP), inside the cluster; the health port is for the kubelet alone. */
export function collectorService(release: Release) {
  return new Service({
    metadata: metadata(release, COLLECTOR, COLLECTOR),
    spec: {
      type: 'ClusterIP',
      selector: selector(COLLECTOR),
      ports: [
        { name: 'otlp-grpc', port: OTLP_GRPC_PORT, targetPort: 'otlp-grpc', protocol: 'TCP' },
        { name: 'otlp-http', port: OTLP_HTTP_PORT, targetPort: 'otlp-http', protocol: 'TCP' },
      ],
    },
  });
}

export function collectorDisruptionBudget(release: Release) {
  return new PodDisruptionBudget({
    metadata: metadata(release, COLLECTOR, COLLECTOR),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(COLLECTOR) } },
  });
}

/** The collector's objects, in apply order (its config before the pods that read it). */
export function collectorObjects(release: Release) {
  return [
    collectorConfigMap(release),
    collectorService(release),
    collectorDeployment(release),
    collectorDisruptionBudget(release),
  ];
}
