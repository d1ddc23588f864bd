import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Manifest, renderObjects, toYaml } from './index';
import type { Release } from './pod';
import {
  COLOURS,
  type Colour,
  DEFAULT_VALUES_FILE,
  loadValues,
  parseValues,
  SERVICES,
  ValuesError,
} from './values';

const release = (colour: Colour): Release => ({
  colour,
  tag: '1.2.3',
  digests: {},
  values: loadValues(colour),
});
const ENDPOINT = 'http://otel-collector.az-shop.svc.cluster.local:4318';

type Json = Record<string, unknown>;
interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: Json }[];
  ports?: { name: string; containerPort: number }[];
  securityContext: Json;
  readinessProbe: { httpGet: { port: string; path: string } };
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; volumes: Json[] };
}
const find = (objects: Manifest[], kind: string, name: string) => {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!object) throw new Error(`no ${kind}/${name}`);
  return object;
};
const template = (object: Manifest) => (object.spec as { template: PodTemplate }).template;
const envOf = (object: Manifest) =>
  Object.fromEntries((template(object).spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
const workload = (objects: Manifest[], service: string, colour: Colour) =>
  service === 'web' ? find(objects, 'Rollout', 'web') : find(objects, 'Deployment', `${service}-${colour}`);
const collectorNames = (objects: Manifest[]) =>
  objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'otel-collector');

describe('the OpenTelemetry Collector', () => {
  it('is rendered once per release, the same for either colour (one per namespace)', () => {
    const blue = collectorNames(renderObjects(release('blue')));
    const green = collectorNames(renderObjects(release('green')));
    expect(blue.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'SecretProviderClass/az-shop-otel-collector',
      'ConfigMap/otel-collector',
      'Service/otel-collector',
      'Deployment/otel-collector',
      'PodDisruptionBudget/otel-collector',
    ]);
    expect(toYaml(green)).toBe(toYaml(blue));
  });

  describe.each(COLOURS)('in the %s release', (colour) => {
    const objects = renderObjects(release(colour));

    it.each(SERVICES)("points %s's pods at it, named, with parent-based ratio sampling", (service) => {
      const env = envOf(workload(objects, service, colour));
      expect(env).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
        OTEL_SERVICE_NAME: service,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.2',
      });
      expect(env.OTEL_RESOURCE_ATTRIBUTES).toContain('service.version=1.2.3');
      expect(env.OTEL_RESOURCE_ATTRIBUTES).toContain(`az_shop.colour=${colour}`);
    });

    it('listens where the services send: the Service has the endpoint port, OTLP only', () => {
      const ports = (find(objects, 'Service', 'otel-collector').spec as { ports: Json[] }).ports;
      expect(ports.map((p) => [p.name, p.port, p.targetPort])).toEqual([
        ['otlp-grpc', 4317, 'otlp-grpc'],
        ['otlp-http', 4318, 'otlp-http'],
      ]);
      expect((find(objects, 'Service', 'otel-collector').spec as Json).type).toBe('ClusterIP');
    });
  });

  describe('its config', () => {
    const objects = renderObjects(release('green'));
    const text = (find(objects, 'ConfigMap', 'otel-collector').data as Record<string, string>)['config.yaml'];
    const config = parse(text ?? '') as {
      receivers: { otlp: { protocols: Record<string, { endpoint: string }> } };
      exporters: { azuremonitor: { connection_string: string } };
      extensions: { health_check: { endpoint: string } };
      service: { extensions: string[]; pipelines: Record<string, Record<string, string[]>> };
    };

    it('is YAML with the azuremonitor exporter in the traces pipeline, after memory_limiter and batch', () => {
      expect(config.service.pipelines).toEqual({
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['azuremonitor'] },
      });
      expect(config.receivers.otlp.protocols.grpc?.endpoint).toBe('0.0.0.0:4317');
      expect(config.receivers.otlp.protocols.http?.endpoint).toBe('0.0.0.0:4318');
    });

    it('takes the connection string from the env the Key Vault secret fills, never a literal', () => {
      expect(config.exporters.azuremonitor.connection_string).toBe(
        // The collector's own env syntax, not a template literal.
        `\${env:APPLICATIONINSIGHTS_CONNECTION_STRING}`,
      );
      const container = template(find(objects, 'Deployment', 'otel-collector')).spec.containers[0]!;
      expect(container.env).toEqual([
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
          valueFrom: {
            secretKeyRef: { name: 'az-shop-otel-collector', key: 'APPLICATIONINSIGHTS_CONNECTION_STRING' },
          },
        },
      ]);
      const provider = find(objects, 'SecretProviderClass', 'az-shop-otel-collector');
      expect(JSON.stringify(provider)).toContain('objectName: applicationinsights-connection-string');
    });

    it('serves health_check on the port the probes call, and is mounted where --config points', () => {
      const pod = template(find(objects, 'Deployment', 'otel-collector'));
      const container = pod.spec.containers[0]!;
      const health = container.ports?.find((p) => p.name === container.readinessProbe.httpGet.port);
      expect(config.service.extensions).toContain('health_check');
      expect(config.extensions.health_check.endpoint).toBe(`0.0.0.0:${health?.containerPort}`);
      expect(container.volumeMounts).toContainEqual({
        name: 'config',
        mountPath: '/etc/otelcol-contrib',
        readOnly: true,
      });
      expect(JSON.stringify(container)).toContain('--config=/etc/otelcol-contrib/config.yaml');
      // A changed config changes the pod template, so the pods restart with it.
      expect(pod.metadata.annotations?.['az-shop/config-sha256']).toMatch(/^[a-f0-9]{64}$/);
    });

    it("runs as the contrib image's non-root user, on a read-only root, pinned by tag", () => {
      const container = template(find(objects, 'Deployment', 'otel-collector')).spec.containers[0]!;
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        readOnlyRootFilesystem: true,
      });
      expect(container.image).toMatch(
        /^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+(@sha256:[a-f0-9]{64})?$/,
      );
    });
  });

  describe('its network policies', () => {
    const objects = renderObjects(release('green'));
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');

    it('let only the services in, on OTLP, and the collector out only on https', () => {
      const collector = policies.filter((p) =>
        JSON.stringify((p.spec as { podSelector: Json }).podSelector).includes('otel-collector'),
      );
      const spec = (name: string) => collector.find((p) => p.metadata.name === name)?.spec as Json;
      // allow-* policies of the shop's own pods exclude the collector (NotIn); these name it.
      const mine = collector.filter((p) => !JSON.stringify(p.spec).includes('NotIn'));
      expect(mine.map((p) => p.metadata.name).sort()).toEqual([
        'allow-collector-to-azure-monitor',
        'allow-otlp-to-collector',
      ]);
      expect(spec('allow-otlp-to-collector').ingress).toEqual([
        {
          from: [
            {
              podSelector: {
                matchExpressions: [
                  { key: 'app.kubernetes.io/name', operator: 'In', values: ['web', 'factory', 'ordering'] },
                ],
              },
            },
          ],
          ports: [
            { protocol: 'TCP', port: 4317 },
            { protocol: 'TCP', port: 4318 },
          ],
        },
      ]);
      expect(spec('allow-collector-to-azure-monitor').egress).toEqual([
        {
          to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }],
          ports: [{ protocol: 'TCP', port: 443 }],
        },
      ]);
    });

    it("keep the shop's own allowances (Mongo, the internal port) off the collector's pods", () => {
      for (const name of ['allow-mongo', 'allow-internal-port']) {
        const selector = (find(objects, 'NetworkPolicy', name).spec as { podSelector: Json }).podSelector;
        expect(selector.matchExpressions, name).toEqual([
          { key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['otel-collector'] },
        ]);
      }
      const egress = (find(objects, 'NetworkPolicy', 'allow-services-to-collector').spec as Json).egress;
      expect(egress).toEqual([
        {
          to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'otel-collector' } } }],
          ports: [
            { protocol: 'TCP', port: 4317 },
            { protocol: 'TCP', port: 4318 },
          ],
        },
      ]);
    });
  });

  describe('its values', () => {
    const production = () => JSON.parse(readFileSync(DEFAULT_VALUES_FILE, 'utf8')) as Record<string, Json>;
    const colour = { env: {} };

    it('refuse a sample ratio outside 0..1 and an image tag that is not a version', () => {
      const ratio = production();
      (ratio.tracing as Json).sampleRatio = 1.5;
      expect(() => parseValues(ratio, colour)).toThrow(/\/tracing\/sampleRatio/);
      const digest = production();
      ((digest.tracing as Json).collector as Json).digest = 'sha256:abc';
      expect(() => parseValues(digest, colour)).toThrow(/\/tracing\/collector\/digest/);
      const latest = production();
      ((latest.tracing as Json).collector as Json).tag = 'latest';
      expect(() => parseValues(latest, colour)).toThrow(ValuesError);
    });
  });
});
