// The pod pieces every workload shares: labels, image references, the restricted securityContext,
// probes on the internal port, the drain before stop, spreading over zones and nodes.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { tracingEnv } from './tracing';
import type { Colour, Service, Values } from './values';

export const WEB_PORT = 3000;
export const INTERNAL_PORT = 9464;
export const SERVICE_ACCOUNT = 'az-shop';
export const PART_OF = 'az-shop';
/** The label naming a workload's colour: the release script finds and retires a colour's objects by it. */
export const COLOUR_LABEL = 'az-shop/colour';

/** What one render is for: the colour being released, its images, the values. */
export interface Release {
  colour: Colour;
  tag: string;
  /** sha256:… by image name (web, factory, ordering, smoke); pins the image when given. */
  digests: Partial<Record<Image, string>>;
  values: Values;
}
export const IMAGES = ['web', 'factory', 'ordering', 'smoke'] as const;
export type Image = (typeof IMAGES)[number];
/** An image digest as --digest-<image> takes it. */
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** `<registry>/az-shop-<name>:<tag>`, with `@sha256:…` when the digest is known (the tag stays for people). */
export function imageRef(release: Release, name: Image): string {
  const digest = release.digests[name];
  const ref = `${release.values.registry}/az-shop-${name}:${release.tag}`;
  return digest ? `${ref}@${digest}` : ref;
}

/** Labels that say what an object belongs to; `component` is the service (or smoke, handover). */
export function labels(component: string, colour?: Colour): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/name': component,
    ...(colour && { [COLOUR_LABEL]: colour }),
  };
}

/** Selects a component's pods (of one colour when given). */
export function selector(component: string, colour?: Colour): Record<string, string> {
  return { 'app.kubernetes.io/name': component, ...(colour && { [COLOUR_LABEL]: colour }) };
}

export function metadata(release: Release, name: string, component: string, colour?: Colour) {
  return { name, namespace: release.values.namespace, labels: labels(component, colour) };
}

/** The restricted Pod Security Standard, and a read-only root: the image writes only to /tmp. */
export const containerSecurityContext: ISecurityContext = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

const podSecurityContext: IPodSpec['securityContext'] = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The Secret the CSI driver syncs from Key Vault for `name` (a service, or smoke). */
export const secretName = (name: string) => `az-shop-${name}`;

/**
 * /tmp (the only writable path) and the Key Vault CSI volume: the driver syncs the Secret that
 * envFrom reads only while some pod mounts the volume, so every pod that reads it mounts it.
 */
export function volumes(secretProvider: string): IVolume[] {
  return [
    { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
    {
      name: 'secrets-store',
      csi: {
        driver: 'secrets-store.csi.k8s.io',
        readOnly: true,
        volumeAttributes: { secretProviderClass: secretName(secretProvider) },
      },
    },
  ];
}

export const volumeMounts: IVolumeMount[] = [
  { name: 'tmp', mountPath: '/tmp' },
  { name: 'secrets-store', mountPath: '/mnt/secrets-store', readOnly: true },
];

function httpProbe(path: string, overrides: IProbe): IProbe {
  return { httpGet: { path, port: 'internal', scheme: 'HTTP' }, timeoutSeconds: 2, ...overrides };
}

/**
 * Startup gives a cold start (Mongo connect, index creation) up to a minute before liveness counts;
 * readiness takes a pod out of Service endpoints quickly; liveness restarts only a stuck process.
 */
export const probes = {
  startupProbe: httpProbe('/healthz', { periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 }),
  readinessProbe: httpProbe('/readyz', { periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 3 }),
  livenessProbe: httpProbe('/healthz', { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 }),
} satisfies Pick<IContainer, 'startupProbe' | 'readinessProbe' | 'livenessProbe'>;

/** Env as a sorted list: a stable order keeps diffs of a release to what changed. */
export function envList(env: Record<string, string>): IEnvVar[] {
  return Object.keys(env)
    .sort()
    .map((name) => ({ name, value: env[name] ?? '' }));
}

/** Spread over zones first, then nodes; each ReplicaSet (colour) is spread on its own. */
export function topologySpread(component: string, hashLabel: string): IPodSpec['topologySpreadConstraints'] {
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    // ScheduleAnyway: a zone or node short of room degrades the spread instead of blocking a rollout.
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector(component) },
    matchLabelKeys: [hashLabel],
  }));
}

export interface ServicePodOptions {
  service: Service;
  /** Extra container ports besides `internal` (web's `http`). */
  ports?: IContainer['ports'];
  env: Record<string, string>;
  /** The label its controller puts on each ReplicaSet's pods (Deployment or Rollout). */
  hashLabel: 'pod-template-hash' | 'rollouts-pod-template-hash';
}

/** The pod template of a long-running service in the release's colour. */
export function servicePodTemplate(release: Release, options: ServicePodOptions): IPodTemplateSpec {
  const { service } = options;
  const { colour, values } = release;
  const pod = values[service];
  const env = {
    ...tracingEnv(release, service),
    ...pod.env,
    ...values.colourEnv[service],
    NODE_ENV: 'production',
    HOST: '0.0.0.0',
    INTERNAL_PORT: String(INTERNAL_PORT),
    RELEASE_COLOUR: colour,
  };
  return {
    metadata: {
      labels: { ...labels(service, colour), 'azure.workload.identity/use': 'true' },
      // Azure Monitor managed Prometheus scrapes pods that ask (pod-annotation scraping for this namespace).
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(INTERNAL_PORT),
        'prometheus.io/path': '/metrics',
      },
    },
    spec: {
      serviceAccountName: SERVICE_ACCOUNT,
      // The pods never call the Kubernetes API; workload identity projects its own token.
      automountServiceAccountToken: false,
      securityContext: podSecurityContext,
      terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds,
      topologySpreadConstraints: topologySpread(service, options.hashLabel),
      volumes: volumes(service),
      containers: [
        {
          name: service,
          image: imageRef(release, service),
          imagePullPolicy: 'IfNotPresent',
          ports: [
            ...(options.ports ?? []),
            { name: 'internal', containerPort: INTERNAL_PORT, protocol: 'TCP' },
          ],
          env: envList({ ...env, ...options.env }),
          envFrom: [{ secretRef: { name: secretName(service) } }],
          ...probes,
          // The native sleep action: no shell in the hook; routes drop the pod before SIGTERM.
          lifecycle: { preStop: { sleep: { seconds: pod.drainSeconds } } },
          resources: pod.resources,
          securityContext: containerSecurityContext,
          volumeMounts,
        },
      ],
    },
  };
}

/** The pod of an analysis Job: same restrictions, no probes (it runs to completion), never restarted. */
export function jobPodTemplate(
  release: Release,
  options: {
    component: string;
    image: string;
    secretProvider: string;
    command?: string[];
    args?: string[];
    env: Record<string, string>;
  },
): IPodTemplateSpec {
  return {
    metadata: {
      labels: { ...labels(options.component, release.colour), 'azure.workload.identity/use': 'true' },
    },
    spec: {
      serviceAccountName: SERVICE_ACCOUNT,
      automountServiceAccountToken: false,
      restartPolicy: 'Never',
      securityContext: podSecurityContext,
      volumes: volumes(options.secretProvider),
      containers: [
        {
          name: options.component,
          image: options.image,
          imagePullPolicy: 'IfNotPresent',
          ...(options.command && { command: options.command }),
          ...(options.args && { args: options.args }),
          env: envList({
            ...options.env,
            NODE_ENV: 'production',
            RELEASE_COLOUR: release.colour,
            HOME: '/tmp',
          }),
          envFrom: [{ secretRef: { name: secretName(options.secretProvider) } }],
          resources: release.values.analysis.resources,
          securityContext: containerSecurityContext,
          volumeMounts,
        },
      ],
    },
  };
}
