// Default deny, in and out, then one policy per flow the shop needs. Kubelet probes come from the
// node itself, which AKS network policy engines (Azure NPM, Cilium) always allow to reach its pods.

import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicySpec } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec';
import { SMOKE } from './analysis';
import { INTERNAL_PORT, metadata, PART_OF, type Release, WEB_PORT } from './pod';
import { COLLECTOR, OTLP_GRPC_PORT, OTLP_HTTP_PORT } from './tracing';
import { SERVICES } from './values';

export const DEFAULT_DENY = 'default-deny';
/** Where the application routing add-on runs its NGINX pods. */
export const INGRESS_NAMESPACE = 'app-routing-system';

const namespaceNamed = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
/** The shop's own pods (services and Jobs); the collector has policies of its own. */
const allPods = {
  matchLabels: { 'app.kubernetes.io/part-of': PART_OF },
  matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn' as const, values: [COLLECTOR] }],
};
const servicePods = {
  matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In' as const, values: [...SERVICES] }],
};
const collectorPods = { matchLabels: { 'app.kubernetes.io/name': COLLECTOR } };
/** Any address outside the cluster but the instance metadata endpoint (workload identity needs no IMDS). */
const internet: INetworkPolicyPeer = { ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } };

function policy(release: Release, name: string, spec: INetworkPolicySpec) {
  return new NetworkPolicy({ metadata: metadata(release, name, 'az-shop'), spec });
}

export function networkPolicies(release: Release) {
  const tcp = (port: number) => ({ protocol: 'TCP' as const, port });
  return [
    policy(release, DEFAULT_DENY, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    // The ingress controller reaches the shop's port only (never the internal one).
    policy(release, 'allow-ingress-to-web', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: namespaceNamed(INGRESS_NAMESPACE) }], ports: [tcp(WEB_PORT)] }],
    }),
    // cert-manager's http01 solver pods answer Let's Encrypt's challenge through the same controller.
    policy(release, 'allow-ingress-to-acme-solver', {
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: namespaceNamed(INGRESS_NAMESPACE) }], ports: [tcp(8089)] }],
    }),
    // Azure Monitor managed Prometheus (ama-metrics in kube-system) scrapes /metrics; the smoke Job
    // checks every service's /readyz. Both on the internal port only.
    policy(release, 'allow-internal-port', {
      podSelector: allPods,
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: namespaceNamed('kube-system'),
              podSelector: {
                matchExpressions: [{ key: 'rsName', operator: 'In', values: ['ama-metrics'] }],
              },
            },
            {
              namespaceSelector: namespaceNamed('kube-system'),
              podSelector: {
                matchExpressions: [{ key: 'dsName', operator: 'In', values: ['ama-metrics-node'] }],
              },
            },
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': SMOKE } } },
          ],
          ports: [tcp(INTERNAL_PORT)],
        },
      ],
    }),
    // Name resolution for everyone: CoreDNS in kube-system.
    policy(release, 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: namespaceNamed('kube-system'),
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    // MongoDB outside the cluster: 27017 (Atlas, a replica set), 10255 (Cosmos DB's API for MongoDB).
    policy(release, 'allow-mongo', {
      podSelector: allPods,
      policyTypes: ['Egress'],
      egress: [{ to: [internet], ports: [tcp(27017), tcp(10255)] }],
    }),
    // https out: web (OIDC issuer, Stripe, Blob storage, Entra ID for workload identity) and the smoke
    // Job (the preview host through the public ingress). The processors talk to Mongo only.
    policy(release, 'allow-https', {
      podSelector: {
        matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['web', SMOKE] }],
      },
      policyTypes: ['Egress'],
      egress: [{ to: [internet], ports: [tcp(443)] }],
    }),
    // Traces: the services' pods send OTLP to the collector (both directions, as the default denies
    // both), and only they reach it; the collector sends to Azure Monitor's ingestion over https.
    policy(release, 'allow-services-to-collector', {
      podSelector: servicePods,
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: collectorPods }], ports: [tcp(OTLP_GRPC_PORT), tcp(OTLP_HTTP_PORT)] }],
    }),
    policy(release, 'allow-otlp-to-collector', {
      podSelector: collectorPods,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: servicePods }], ports: [tcp(OTLP_GRPC_PORT), tcp(OTLP_HTTP_PORT)] }],
    }),
    policy(release, 'allow-collector-to-azure-monitor', {
      podSelector: collectorPods,
      policyTypes: ['Egress'],
      egress: [{ to: [internet], ports: [tcp(443)] }],
    }),
    // The smoke Job's readiness checks inside the namespace.
    policy(release, 'allow-smoke-to-internal-port', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': SMOKE } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: allPods }], ports: [tcp(INTERNAL_PORT)] }],
    }),
  ];
}
