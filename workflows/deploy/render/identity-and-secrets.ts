// The namespace, the workload identity and the Key Vault secrets each pod reads as env.

import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { stringify } from 'yaml';
import { labels, metadata, type Release, SERVICE_ACCOUNT, secretName } from './pod';
import { COLLECTOR } from './tracing';
import type { Service } from './values';

/** Who reads Key Vault secrets: the services, the smoke Job, the OpenTelemetry Collector. */
export type SecretReader = Service | 'smoke' | typeof COLLECTOR;

/**
 * The secrets of each service (env name → Key Vault secret name): the variables its config schema
 * reads that are credentials (secrets.unit.spec.ts checks this list against the schemas). Everything
 * else is a setting in the values files. Key Vault names allow no underscores, hence the kebab case;
 * each service has its own names so a service's database user can differ from another's.
 */
export const SECRETS: Record<SecretReader, Record<string, string>> = {
  web: {
    MONGO_DB: 'web-mongo-db',
    SESSION_SECRET: 'web-session-secret',
    OIDC_CLIENT_SECRET: 'web-oidc-client-secret',
    AZURE_STORAGE_CONNECTION_STRING: 'web-azure-storage-connection-string',
    STRIPE_SECRET_KEY: 'web-stripe-secret-key',
    STRIPE_WEBHOOK_SECRET: 'web-stripe-webhook-secret',
  },
  factory: { MONGO_DB: 'factory-mongo-db' },
  ordering: { MONGO_DB: 'ordering-mongo-db' },
  // The smoke suite's test account (tests/smoke/settings.ts reads SMOKE_USER and SMOKE_PASSWORD).
  smoke: { SMOKE_USER: 'smoke-user', SMOKE_PASSWORD: 'smoke-password' },
  // The collector's exporter (otel-collector.ts); Bicep writes it (infra/modules/monitoring.bicep).
  [COLLECTOR]: { APPLICATIONINSIGHTS_CONNECTION_STRING: 'applicationinsights-connection-string' },
};

/**
 * Secrets a service reads only sometimes, left out of its SecretProviderClass because the CSI mount
 * fails when a named Key Vault secret is missing: SESSION_SECRET_PREVIOUS exists only during a rotation
 * (add it here, and to Key Vault, for the release that rotates).
 */
export const OCCASIONAL_SECRETS: Partial<Record<Service, string[]>> = { web: ['SESSION_SECRET_PREVIOUS'] };

export function namespace(release: Release) {
  return new Namespace({
    metadata: {
      name: release.values.namespace,
      labels: {
        ...labels('az-shop'),
        // The restricted Pod Security Standard, enforced: a pod that is not locked down is refused.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    },
  });
}

export function serviceAccount(release: Release) {
  return new ServiceAccount({
    metadata: {
      ...metadata(release, SERVICE_ACCOUNT, 'az-shop'),
      annotations: {
        'azure.workload.identity/client-id': release.values.azure.identityClientId,
        'azure.workload.identity/tenant-id': release.values.azure.tenantId,
      },
    },
    automountServiceAccountToken: false,
  });
}

/** The fields of secrets-store.csi.x-k8s.io/v1 SecretProviderClass (no npm model has it); validated by its CRD schema. */
export interface SecretProviderClass {
  apiVersion: 'secrets-store.csi.x-k8s.io/v1';
  kind: 'SecretProviderClass';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    provider: 'azure';
    parameters: Record<string, string>;
    secretObjects: {
      secretName: string;
      type: 'Opaque';
      labels: Record<string, string>;
      data: { objectName: string; key: string }[];
    }[];
  };
}

/** Key Vault → the Secret `az-shop-<name>`, read with the workload identity of the ServiceAccount. */
export function secretProviderClass(release: Release, name: SecretReader): SecretProviderClass {
  const { azure } = release.values;
  const entries = Object.entries(SECRETS[name]).sort(([a], [b]) => a.localeCompare(b));
  return {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: metadata(release, secretName(name), name),
    spec: {
      provider: 'azure',
      parameters: {
        usePodIdentity: 'false',
        clientID: azure.identityClientId,
        keyvaultName: azure.keyVaultName,
        tenantId: azure.tenantId,
        // The Azure provider reads `objects` as a YAML string.
        objects: stringify({
          array: entries.map(([, objectName]) => stringify({ objectName, objectType: 'secret' })),
        }),
      },
      secretObjects: [
        {
          secretName: secretName(name),
          type: 'Opaque',
          labels: labels(name),
          data: entries.map(([key, objectName]) => ({ objectName, key })),
        },
      ],
    },
  };
}
