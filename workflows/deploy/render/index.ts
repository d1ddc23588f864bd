// Every object of one production release, in apply order (namespace and identity first, workloads
// after what they read), and its YAML with keys sorted so two renders diff to what changed.
import { Document } from 'yaml';
import { handoverTemplate, smokeTemplate } from './analysis';
import {
  processorDisruptionBudget,
  processorScaledObject,
  processorTriggerAuthentication,
  webAutoscaler,
  webDisruptionBudget,
} from './autoscaling';
import { namespace, type SecretReader, secretProviderClass, serviceAccount } from './identity-and-secrets';
import { certificate, clusterIssuer, ingress } from './ingress';
import { networkPolicies } from './network-policies';
import { collectorObjects } from './otel-collector';
import type { Release } from './pod';
import { processorDeployment, processorService } from './processors';
import { COLLECTOR } from './tracing';
import { PROCESSORS, SERVICES } from './values';
import { webRollout, webServices } from './web-rollout';

export type { Release } from './pod';

/** A rendered object as plain JSON: what kubectl receives. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

function plain(object: object): Manifest {
  // Models serialise through toJSON; the round trip also drops undefined fields.
  return JSON.parse(JSON.stringify(object)) as Manifest;
}

const SECRET_READERS: readonly SecretReader[] = [...SERVICES, 'smoke', COLLECTOR];

export function renderObjects(release: Release): Manifest[] {
  const objects: object[] = [
    namespace(release),
    serviceAccount(release),
    ...SECRET_READERS.map((name) => secretProviderClass(release, name)),
    ...networkPolicies(release),
    // Before the services, so their first spans find it.
    ...collectorObjects(release),
    clusterIssuer(release),
    certificate(release),
    smokeTemplate(release),
    handoverTemplate(release),
    ...PROCESSORS.flatMap((processor) => [
      processorService(release, processor),
      processorDeployment(release, processor),
      processorDisruptionBudget(release, processor),
      processorTriggerAuthentication(release, processor),
      processorScaledObject(release, processor),
    ]),
    ...webServices(release),
    webRollout(release),
    webDisruptionBudget(release),
    webAutoscaler(release),
    ingress(release),
  ];
  return objects.map(plain);
}

const FIRST_KEYS = ['apiVersion', 'kind', 'metadata'];

/** Keys sorted (apiVersion, kind, metadata first at the top): the order kubectl shows, stable across renders. */
function sortKeys(value: unknown, top = false): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item));
  if (value === null || typeof value !== 'object') return value;
  const rank = (key: string) =>
    top && FIRST_KEYS.includes(key) ? FIRST_KEYS.indexOf(key) : FIRST_KEYS.length;
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}

export function toYaml(objects: readonly Manifest[]): string {
  return objects
    .map((object) => new Document(sortKeys(object, true), { version: '1.2' }).toString({ lineWidth: 0 }))
    .map((text) => `---\n${text}`)
    .join('');
}
