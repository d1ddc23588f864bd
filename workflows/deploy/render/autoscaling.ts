// How many pods run and how many may go at once: an HPA on CPU for web (targeting the Rollout),
// KEDA on processor lag for the processors, a PodDisruptionBudget for every workload.
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { metadata, type Release, selector } from './pod';
import { processorName } from './processors';
import type { Processor } from './values';
import { WEB } from './web-rollout';

export function webAutoscaler(release: Release) {
  const { web } = release.values;
  return new HorizontalPodAutoscaler({
    metadata: metadata(release, WEB, WEB),
    spec: {
      scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: WEB },
      minReplicas: web.minReplicas,
      maxReplicas: web.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
      // Scale down slowly: live streams (SSE) reconnect elsewhere when a pod goes.
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
      },
    },
  });
}

/** web: one pod at a time across both colours' ReplicaSets (the old colour is kept for rollback). */
export function webDisruptionBudget(release: Release) {
  return new PodDisruptionBudget({
    metadata: metadata(release, WEB, WEB),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(WEB) } },
  });
}

export function processorDisruptionBudget(release: Release, processor: Processor) {
  return new PodDisruptionBudget({
    metadata: metadata(release, processorName(processor, release), processor, release.colour),
    // maxUnavailable, not minAvailable: a single replica (KEDA's minimum) can still be drained.
    spec: { maxUnavailable: 1, selector: { matchLabels: selector(processor, release.colour) } },
  });
}

/** KEDA reads Azure Monitor managed Prometheus with the workload identity of the ServiceAccount. */
export function processorTriggerAuthentication(release: Release, processor: Processor) {
  return new TriggerAuthentication({
    metadata: metadata(release, processorName(processor, release), processor, release.colour),
    spec: { podIdentity: { provider: 'azure-workload', identityId: release.values.azure.identityClientId } },
  });
}

/**
 * The worst lag among this colour's processors of the service; a standby colour has no leases, so
 * no lag, and stays at its minimum. More replicas than buckets would idle, hence the cap.
 */
export function lagQuery(release: Release, processor: Processor): string {
  const pods = `${processorName(processor, release)}-.*`;
  return `max(processor_lag_seconds{namespace="${release.values.namespace}",pod=~"${pods}"}) or vector(0)`;
}

export function processorScaledObject(release: Release, processor: Processor) {
  const { values } = release;
  const name = processorName(processor, release);
  return new ScaledObject({
    metadata: metadata(release, name, processor, release.colour),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicaCount: 1,
      maxReplicaCount: Math.min(values[processor].maxReplicas, values.processorBuckets),
      pollingInterval: 30,
      cooldownPeriod: 300,
      triggers: [
        {
          type: 'prometheus',
          metricType: 'AverageValue',
          metadata: {
            serverAddress: values.azure.prometheusQueryEndpoint,
            query: lagQuery(release, processor),
            threshold: String(values[processor].lagTargetSeconds),
          },
          authenticationRef: { name },
        },
      ],
    },
  });
}
