// The only way in: the AKS application routing add-on (managed NGINX) on both hosts, TLS from
// cert-manager (Let's Encrypt, http01 through the same ingress class). Only port `http` is routed.
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { labels, metadata, type Release } from './pod';
import { WEB, WEB_PREVIEW } from './web-rollout';

export const INGRESS_CLASS = 'webapprouting.kubernetes.azure.com';

export function clusterIssuer(release: Release) {
  const { tls } = release.values;
  return new ClusterIssuer({
    metadata: { name: tls.clusterIssuer, labels: labels('az-shop') },
    spec: {
      acme: {
        server: tls.acmeServer,
        email: tls.email,
        privateKeySecretRef: { name: `${tls.clusterIssuer}-account-key` },
        solvers: [{ http01: { ingress: { ingressClassName: INGRESS_CLASS } } }],
      },
    },
  });
}

export function certificate(release: Release) {
  const { tls, hosts } = release.values;
  return new Certificate({
    metadata: metadata(release, tls.secretName, 'az-shop'),
    spec: {
      secretName: tls.secretName,
      dnsNames: [hosts.shop, hosts.preview],
      issuerRef: { kind: 'ClusterIssuer', name: tls.clusterIssuer, group: 'cert-manager.io' },
      privateKey: { rotationPolicy: 'Always', algorithm: 'ECDSA', size: 256 },
    },
  });
}

export function ingress(release: Release) {
  const { tls, hosts } = release.values;
  const rule = (host: string, service: string) => ({
    host,
    http: {
      paths: [
        {
          path: '/',
          pathType: 'Prefix' as const,
          backend: { service: { name: service, port: { name: 'http' } } },
        },
      ],
    },
  });
  return new Ingress({
    metadata: metadata(release, WEB, WEB),
    spec: {
      ingressClassName: INGRESS_CLASS,
      tls: [{ hosts: [hosts.shop, hosts.preview], secretName: tls.secretName }],
      rules: [rule(hosts.shop, WEB), rule(hosts.preview, WEB_PREVIEW)],
    },
  });
}
