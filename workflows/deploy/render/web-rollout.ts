// web: an Argo Rollouts blue-green Rollout and its Services. Argo points `web` (live) and
// `web-preview` (the colour under test) at ReplicaSets by adding their hash to the selectors.
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { Service } from 'kubernetes-models/v1/Service';
import { HANDOVER, SMOKE } from './analysis';
import { INTERNAL_PORT, metadata, type Release, selector, servicePodTemplate, WEB_PORT } from './pod';

export const WEB = 'web';
export const WEB_PREVIEW = 'web-preview';
export const WEB_INTERNAL = 'web-internal';
/** The old colour stays scaled up this long after promotion: a rollback within it is instant. */
export const SCALE_DOWN_DELAY_SECONDS = 900;

export function webRollout(release: Release) {
  return new Rollout({
    metadata: metadata(release, WEB, WEB),
    spec: {
      // No `replicas`: the HPA owns the count (a rendered count would undo its scaling at every apply).
      revisionHistoryLimit: 3,
      selector: { matchLabels: selector(WEB) },
      template: servicePodTemplate(release, {
        service: 'web',
        ports: [{ name: 'http', containerPort: WEB_PORT, protocol: 'TCP' }],
        env: { WEB_PORT: String(WEB_PORT) },
        hashLabel: 'rollouts-pod-template-hash',
      }),
      strategy: {
        blueGreen: {
          activeService: WEB,
          previewService: WEB_PREVIEW,
          autoPromotionEnabled: false,
          scaleDownDelaySeconds: SCALE_DOWN_DELAY_SECONDS,
          prePromotionAnalysis: { templates: [{ templateName: SMOKE }] },
          postPromotionAnalysis: { templates: [{ templateName: HANDOVER }] },
        },
      },
    },
  });
}

const internalPort = {
  name: 'internal',
  port: INTERNAL_PORT,
  targetPort: 'internal',
  protocol: 'TCP' as const,
};

function httpService(release: Release, name: string, extraPorts: (typeof internalPort)[] = []) {
  return new Service({
    metadata: metadata(release, name, WEB),
    spec: {
      type: 'ClusterIP',
      selector: selector(WEB),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, ...extraPorts],
    },
  });
}

/** web (live), web-preview (under test) and web-internal (every web pod's internal port, for scraping). */
export function webServices(release: Release) {
  return [
    httpService(release, WEB),
    // The preview's internal port lets the smoke gate check the readiness of the colour under test
    // only (web-internal spans both colours); the Ingress routes its port http alone.
    httpService(release, WEB_PREVIEW, [internalPort]),
    new Service({
      metadata: metadata(release, WEB_INTERNAL, WEB),
      spec: { type: 'ClusterIP', selector: selector(WEB), ports: [internalPort] },
    }),
  ];
}
