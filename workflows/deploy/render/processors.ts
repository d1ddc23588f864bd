// factory and ordering: one Deployment per colour (factory-green, …) so the old colour keeps running
// in standby until `retire`; the active colour in Mongo decides which one holds the bucket leases.
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { INTERNAL_PORT, metadata, type Release, selector, servicePodTemplate } from './pod';
import type { Processor } from './values';

export const processorName = (processor: Processor, release: Release) => `${processor}-${release.colour}`;

export function processorDeployment(release: Release, processor: Processor) {
  return new Deployment({
    metadata: metadata(release, processorName(processor, release), processor, release.colour),
    spec: {
      // No `replicas`: KEDA's HPA owns the count.
      revisionHistoryLimit: 3,
      selector: { matchLabels: selector(processor, release.colour) },
      // New pods ready before old ones go: leases move between live pods, never to nobody.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: servicePodTemplate(release, {
        service: processor,
        env: { PROCESSOR_BUCKETS: String(release.values.processorBuckets) },
        hashLabel: 'pod-template-hash',
      }),
    },
  });
}

/** The internal port only: metrics scraping and readiness checks, never routed from outside. */
export function processorService(release: Release, processor: Processor) {
  return new Service({
    metadata: metadata(release, processorName(processor, release), processor, release.colour),
    spec: {
      type: 'ClusterIP',
      selector: selector(processor, release.colour),
      ports: [{ name: 'internal', port: INTERNAL_PORT, targetPort: 'internal', protocol: 'TCP' }],
    },
  });
}
