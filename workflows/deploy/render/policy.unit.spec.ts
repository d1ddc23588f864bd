import { describe, expect, it } from 'vitest';
import { type Manifest, renderObjects } from './index';
import { policyProblems } from './policy';
import { COLOURS, loadValues } from './values';

const render = (colour: (typeof COLOURS)[number] = 'green') =>
  renderObjects({ colour, tag: '1.2.3', digests: {}, values: loadValues(colour) });

type Json = Record<string, unknown>;
/** The first container of a Deployment or Rollout, or of an AnalysisTemplate's Job. */
function container(object: Manifest): Json {
  const spec = object.spec as Json;
  const template =
    object.kind === 'AnalysisTemplate'
      ? ((spec.metrics as Json[])[0]!.provider as { job: { spec: { template: Json } } }).job.spec.template
      : (spec.template as Json);
  return ((template.spec as Json).containers as Json[])[0]!;
}
/** The policy's verdict on a release changed by `change` (applied to a copy). */
function problemsAfter(change: (objects: Manifest[]) => void): string[] {
  const objects = structuredClone(render());
  change(objects);
  return policyProblems(objects);
}
const byKind = (objects: Manifest[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name))!;

describe('the production policy', () => {
  it.each(COLOURS)('holds for the %s release', (colour) => {
    expect(policyProblems(render(colour))).toEqual([]);
  });

  it('wants every probe with a timeout, except in Jobs', () => {
    expect(
      problemsAfter((objects) => {
        delete (container(byKind(objects, 'Rollout')).readinessProbe as Json).timeoutSeconds;
        delete container(byKind(objects, 'Deployment', 'factory-green')).startupProbe;
      }),
    ).toEqual([
      'Deployment/factory-green container factory: has no startupProbe',
      'Rollout/web container web: readinessProbe has no timeoutSeconds',
    ]);
    // The Jobs have no probes and pass as they are (the render above holds).
  });

  it('wants resources and the locked-down securityContext on every container, Jobs included', () => {
    const problems = problemsAfter((objects) => {
      const smoke = container(byKind(objects, 'AnalysisTemplate', 'smoke'));
      delete (smoke.resources as { limits: Json }).limits.memory;
      (smoke.securityContext as Json).readOnlyRootFilesystem = false;
      const handover = container(byKind(objects, 'AnalysisTemplate', 'processor-handover'));
      (handover.securityContext as Json).capabilities = { drop: ['NET_RAW'] };
      delete (handover.securityContext as Json).seccompProfile;
    });
    expect(problems).toEqual([
      'AnalysisTemplate/smoke container smoke: has no memory limit',
      'AnalysisTemplate/smoke container smoke: securityContext.readOnlyRootFilesystem is not true',
      'AnalysisTemplate/processor-handover container processor-handover: does not drop ALL capabilities',
      'AnalysisTemplate/processor-handover container processor-handover: has no RuntimeDefault seccompProfile',
    ]);
  });

  it("wants each image's own user: 1000 for the shop's, 10001 for the collector's", () => {
    const problems = problemsAfter((objects) => {
      (container(byKind(objects, 'Deployment', 'otel-collector')).securityContext as Json).runAsUser = 1000;
      (container(byKind(objects, 'Deployment', 'factory-green')).securityContext as Json).runAsUser = 10001;
    });
    expect(problems).toEqual([
      'Deployment/otel-collector container otel-collector: securityContext.runAsUser is not 10001',
      'Deployment/factory-green container factory: securityContext.runAsUser is not 1000',
    ]);
  });

  it("knows the collector's user when its image is mirrored into the shop's registry", () => {
    const problems = problemsAfter((objects) => {
      container(byKind(objects, 'Deployment', 'otel-collector')).image =
        'azshopacr.azurecr.io/otel/opentelemetry-collector-contrib:0.160.0';
    });
    expect(problems).toEqual([]);
  });

  it('refuses images on latest or pinned by nothing', () => {
    const problems = problemsAfter((objects) => {
      container(byKind(objects, 'Rollout')).image = 'azshopacr.azurecr.io/az-shop-web:latest';
      container(byKind(objects, 'Deployment', 'ordering-green')).image =
        'azshopacr.azurecr.io/az-shop-ordering';
      container(byKind(objects, 'Deployment', 'factory-green')).image =
        `azshopacr.azurecr.io/az-shop-factory@sha256:${'0'.repeat(64)}`;
      container(byKind(objects, 'Deployment', 'otel-collector')).image =
        'otel/opentelemetry-collector-contrib:latest';
    });
    expect(problems).toEqual([
      'Deployment/otel-collector container otel-collector: image otel/opentelemetry-collector-contrib:latest uses latest',
      'Deployment/ordering-green container ordering: image azshopacr.azurecr.io/az-shop-ordering is pinned by neither tag nor digest',
      'Rollout/web container web: image azshopacr.azurecr.io/az-shop-web:latest uses latest',
    ]);
  });

  it('refuses Services reachable from outside and an Ingress to anything but port http of web/web-preview', () => {
    const problems = problemsAfter((objects) => {
      (byKind(objects, 'Service', 'web').spec as Json).type = 'LoadBalancer';
      (byKind(objects, 'Service', 'factory-green').spec as Json).type = 'NodePort';
      const rules = (byKind(objects, 'Ingress').spec as { rules: { http: { paths: Json[] } }[] }).rules;
      rules[0]!.http.paths.push({
        path: '/metrics',
        pathType: 'Prefix',
        backend: { service: { name: 'web-internal', port: { number: 9464 } } },
      });
      rules[1]!.http.paths[0]!.backend = { service: { name: 'web-preview', port: { number: 9464 } } };
    });
    expect(problems).toEqual([
      'Service/factory-green is of type NodePort',
      'Service/web is of type LoadBalancer',
      'Ingress/web → web-internal:9464: routes to a Service other than web/web-preview',
      'Ingress/web → web-preview:9464: routes a port other than http',
    ]);
  });

  it('refuses a port http that leads to the internal port', () => {
    const problems = problemsAfter((objects) => {
      (byKind(objects, 'Service', 'web-preview').spec as { ports: Json[] }).ports[0]!.targetPort = 'internal';
    });
    expect(problems).toEqual(['Ingress/web → web-preview:http: port http leads to the internal port']);
  });

  it('wants a PDB, topology spread and a drain shorter than the grace period for every workload', () => {
    const problems = problemsAfter((objects) => {
      objects.splice(objects.indexOf(byKind(objects, 'PodDisruptionBudget', 'ordering-green')), 1);
      const rollout = (byKind(objects, 'Rollout').spec as { template: { spec: Json } }).template.spec;
      rollout.topologySpreadConstraints = (rollout.topologySpreadConstraints as Json[]).slice(1);
      rollout.terminationGracePeriodSeconds = 10;
    });
    expect(problems).toEqual([
      'Rollout/web: no topology spread over topology.kubernetes.io/zone',
      'Rollout/web container web: preStop sleep is not shorter than the grace period',
      'Deployment/ordering-green: no PodDisruptionBudget selects its pods',
    ]);
  });

  it("caps each ScaledObject at its Deployment's bucket count", () => {
    const problems = problemsAfter((objects) => {
      (byKind(objects, 'ScaledObject', 'factory-green').spec as Json).maxReplicaCount = 17;
    });
    expect(problems).toEqual(['ScaledObject/factory-green: maxReplicaCount 17 exceeds 16 buckets']);
  });

  it('wants a default-deny NetworkPolicy', () => {
    const problems = problemsAfter((objects) => {
      (byKind(objects, 'NetworkPolicy', 'default-deny').spec as Json).egress = [{}];
    });
    expect(problems).toEqual([
      'no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)',
    ]);
  });
});
