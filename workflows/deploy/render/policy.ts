// The production policy, checked over rendered manifests (not over the renderer's code, so it holds
// whatever the renderer becomes): locked-down pods with probes and resources, pinned images, nothing
// exposed but the shop's port through the Ingress, a PDB and spread for every workload, KEDA capped
// by the bucket count, default-deny networking. Each problem is one line naming the object.
import type { Manifest } from './index';
import { INTERNAL_PORT } from './pod';

interface Container {
  name?: string;
  image?: string;
  ports?: { name?: string; containerPort?: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  startupProbe?: { timeoutSeconds?: unknown };
  readinessProbe?: { timeoutSeconds?: unknown };
  livenessProbe?: { timeoutSeconds?: unknown };
  lifecycle?: { preStop?: { sleep?: { seconds?: number } } };
}
interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  topologySpreadConstraints?: { topologyKey?: string }[];
  terminationGracePeriodSeconds?: number;
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: PodSpec;
}

type Path = (string | number)[];
function at(object: unknown, path: Path): unknown {
  let value = object;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Each pod template with who owns it and whether it is a long-running workload or a Job. */
interface OwnedTemplate {
  owner: string;
  job: boolean;
  template: PodTemplate;
}
function podTemplates(manifests: readonly Manifest[]): OwnedTemplate[] {
  return manifests.flatMap((manifest): OwnedTemplate[] => {
    const owner = `${manifest.kind}/${manifest.metadata.name}`;
    if (manifest.kind === 'Deployment' || manifest.kind === 'Rollout')
      return [{ owner, job: false, template: (at(manifest, ['spec', 'template']) ?? {}) as PodTemplate }];
    if (manifest.kind === 'AnalysisTemplate') {
      const metrics = (at(manifest, ['spec', 'metrics']) ?? []) as unknown[];
      return metrics.flatMap((metric) => {
        const template = at(metric, ['provider', 'job', 'spec', 'template']);
        return template ? [{ owner, job: true, template: template as PodTemplate }] : [];
      });
    }
    return [];
  });
}

const REQUIRED_SECURITY: Record<string, unknown> = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
};
/**
 * The shop's images run as 1000; an outside image as the user its Dockerfile names, and no other
 * (matched by repository, also when mirrored into another registry).
 */
const IMAGE_USERS: { repository: string; user: number }[] = [
  { repository: 'otel/opentelemetry-collector-contrib', user: 10001 },
];
function expectedUser(image: string | undefined): number {
  const repository = image?.split('@')[0]?.replace(/:[^/:]+$/, '') ?? '';
  const entry = IMAGE_USERS.find(
    (known) => repository === known.repository || repository.endsWith(`/${known.repository}`),
  );
  return entry?.user ?? 1000;
}
/** repository:tag or repository[:tag]@sha256:digest, and the tag is not `latest`. */
const PINNED_IMAGE = /^[^@\s]+?(?::(?<tag>[\w][\w.-]{0,127}))?(?:@sha256:[a-f0-9]{64})?$/;

function imageProblem(image: string | undefined): string | undefined {
  if (!image) return 'has no image';
  const match = PINNED_IMAGE.exec(image);
  const tag = match?.groups?.tag;
  const digest = image.includes('@sha256:');
  if (!match || (!tag && !digest)) return `image ${image} is pinned by neither tag nor digest`;
  if (tag === 'latest') return `image ${image} uses latest`;
  return undefined;
}

function containerProblems(container: Container, job: boolean): string[] {
  const problems: string[] = [];
  const probeNames = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;
  if (!job)
    for (const probe of probeNames) {
      const timeout = container[probe]?.timeoutSeconds;
      if (!container[probe]) problems.push(`has no ${probe}`);
      else if (typeof timeout !== 'number' || timeout < 1) problems.push(`${probe} has no timeoutSeconds`);
    }
  for (const kind of ['requests', 'limits'] as const)
    for (const resource of ['cpu', 'memory'])
      if (!container.resources?.[kind]?.[resource]) problems.push(`has no ${resource} ${kind.slice(0, -1)}`);
  const security = container.securityContext ?? {};
  for (const [field, expected] of Object.entries({
    ...REQUIRED_SECURITY,
    runAsUser: expectedUser(container.image),
  }))
    if (security[field] !== expected) problems.push(`securityContext.${field} is not ${String(expected)}`);
  const drop = at(security, ['capabilities', 'drop']);
  if (!Array.isArray(drop) || !drop.includes('ALL')) problems.push('does not drop ALL capabilities');
  if (at(security, ['seccompProfile', 'type']) !== 'RuntimeDefault')
    problems.push('has no RuntimeDefault seccompProfile');
  const image = imageProblem(container.image);
  if (image) problems.push(image);
  return problems;
}

function podProblems(manifests: readonly Manifest[]): string[] {
  return podTemplates(manifests).flatMap(({ owner, job, template }) => {
    const spec = template.spec ?? {};
    const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
    const problems = containers.flatMap((container) =>
      containerProblems(container, job).map((problem) => `${owner} container ${container.name}: ${problem}`),
    );
    if (containers.length === 0) problems.push(`${owner}: has no containers`);
    if (!job) {
      const keys = (spec.topologySpreadConstraints ?? []).map((constraint) => constraint.topologyKey);
      for (const key of ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'])
        if (!keys.includes(key)) problems.push(`${owner}: no topology spread over ${key}`);
      for (const container of containers) {
        const drain = container.lifecycle?.preStop?.sleep?.seconds;
        if (drain === undefined) problems.push(`${owner} container ${container.name}: no preStop sleep`);
        else if (drain >= (spec.terminationGracePeriodSeconds ?? 30))
          problems.push(
            `${owner} container ${container.name}: preStop sleep is not shorter than the grace period`,
          );
      }
    }
    return problems;
  });
}

function labelsMatch(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
) {
  return !!selector && Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** Every Deployment and Rollout has a PDB whose selector picks its pods. */
function disruptionProblems(manifests: readonly Manifest[]): string[] {
  const budgets = manifests.filter((m) => m.kind === 'PodDisruptionBudget');
  return podTemplates(manifests)
    .filter(({ job }) => !job)
    .filter(({ template }) =>
      budgets.every(
        (budget) =>
          !labelsMatch(
            at(budget, ['spec', 'selector', 'matchLabels']) as Record<string, string> | undefined,
            template.metadata?.labels,
          ),
      ),
    )
    .map(({ owner }) => `${owner}: no PodDisruptionBudget selects its pods`);
}

function serviceProblems(manifests: readonly Manifest[]): string[] {
  return manifests
    .filter((m) => m.kind === 'Service')
    .flatMap((service) => {
      const type = at(service, ['spec', 'type']) ?? 'ClusterIP';
      return type === 'ClusterIP' ? [] : [`Service/${service.metadata.name} is of type ${String(type)}`];
    });
}

/** The Ingress sends only port `http` of web and web-preview; nothing reaches the internal port. */
function ingressProblems(manifests: readonly Manifest[]): string[] {
  const services = new Map(manifests.filter((m) => m.kind === 'Service').map((m) => [m.metadata.name, m]));
  return manifests
    .filter((m) => m.kind === 'Ingress')
    .flatMap((ingress) => {
      const rules = (at(ingress, ['spec', 'rules']) ?? []) as unknown[];
      const backends = [
        at(ingress, ['spec', 'defaultBackend']),
        ...rules.flatMap((rule) =>
          ((at(rule, ['http', 'paths']) ?? []) as unknown[]).map((p) => at(p, ['backend'])),
        ),
      ].filter((backend) => backend !== undefined);
      return backends.flatMap((backend) => {
        const name = at(backend, ['service', 'name']) as string | undefined;
        const port = at(backend, ['service', 'port']) as { name?: string; number?: number } | undefined;
        const where = `Ingress/${ingress.metadata.name} → ${name}:${port?.name ?? port?.number}`;
        if (name !== 'web' && name !== 'web-preview')
          return [`${where}: routes to a Service other than web/web-preview`];
        if (port?.name !== 'http') return [`${where}: routes a port other than http`];
        const servicePorts = (at(services.get(name), ['spec', 'ports']) ?? []) as {
          name?: string;
          port?: number;
          targetPort?: unknown;
        }[];
        const target = servicePorts.find((p) => p.name === 'http');
        if (!target) return [`${where}: the Service has no port http`];
        if (
          target.port === INTERNAL_PORT ||
          target.targetPort === 'internal' ||
          target.targetPort === INTERNAL_PORT
        )
          return [`${where}: port http leads to the internal port`];
        return [];
      });
    });
}

function scalingProblems(manifests: readonly Manifest[]): string[] {
  const buckets = new Map<string, number>();
  for (const deployment of manifests.filter((m) => m.kind === 'Deployment')) {
    const containers = (at(deployment, ['spec', 'template', 'spec', 'containers']) ?? []) as {
      env?: { name: string; value?: string }[];
    }[];
    const value = containers
      .flatMap((c) => c.env ?? [])
      .find((env) => env.name === 'PROCESSOR_BUCKETS')?.value;
    if (value !== undefined) buckets.set(deployment.metadata.name, Number(value));
  }
  return manifests
    .filter((m) => m.kind === 'ScaledObject')
    .flatMap((scaled) => {
      const target = at(scaled, ['spec', 'scaleTargetRef', 'name']) as string;
      const max = at(scaled, ['spec', 'maxReplicaCount']);
      const bucketCount = buckets.get(target);
      const where = `ScaledObject/${scaled.metadata.name}`;
      if (bucketCount === undefined) return [`${where}: its target ${target} sets no PROCESSOR_BUCKETS`];
      if (typeof max !== 'number' || max > bucketCount)
        return [`${where}: maxReplicaCount ${String(max)} exceeds ${bucketCount} buckets`];
      return [];
    });
}

/** A NetworkPolicy selecting every pod that denies both directions (lists no rule for either). */
function networkProblems(manifests: readonly Manifest[]): string[] {
  const denyAll = manifests.some((m) => {
    if (m.kind !== 'NetworkPolicy') return false;
    const spec = (m.spec ?? {}) as {
      podSelector?: object;
      policyTypes?: string[];
      ingress?: unknown[];
      egress?: unknown[];
    };
    return (
      !!spec.podSelector &&
      Object.keys(spec.podSelector).length === 0 &&
      spec.policyTypes?.includes('Ingress') &&
      spec.policyTypes.includes('Egress') &&
      !spec.ingress?.length &&
      !spec.egress?.length
    );
  });
  return denyAll ? [] : ['no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)'];
}

/** Every breach of the production policy in `manifests`; none when they hold. */
export function policyProblems(manifests: readonly Manifest[]): string[] {
  return [
    ...podProblems(manifests),
    ...disruptionProblems(manifests),
    ...serviceProblems(manifests),
    ...ingressProblems(manifests),
    ...scalingProblems(manifests),
    ...networkProblems(manifests),
  ];
}
