// The Rollout's gates, each a Job: `smoke` runs the Playwright smoke suite against the preview host
// before promotion; `processor-handover` moves the processors to the new colour after it (and hands
// them back on failure before failing, so Argo's abort and the processors' return happen together).
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import type { IIoK8sApiBatchV1JobSpec } from 'kubernetes-models/batch/v1/JobSpec';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { INTERNAL_PORT, imageRef, jobPodTemplate, metadata, type Release } from './pod';

export const SMOKE = 'smoke';
export const HANDOVER = 'processor-handover';

function jobSpec(
  release: Release,
  deadlineSeconds: number,
  template: IPodTemplateSpec,
): IIoK8sApiBatchV1JobSpec {
  return {
    // One attempt: a failed gate is a verdict, not a flake to retry into a pass.
    backoffLimit: 0,
    activeDeadlineSeconds: deadlineSeconds,
    ttlSecondsAfterFinished: release.values.analysis.ttlSecondsAfterFinished,
    template,
  };
}

function template(
  release: Release,
  name: string,
  job: IIoK8sApiBatchV1JobSpec,
  args: { name: string; value: string }[] = [],
) {
  return new AnalysisTemplate({
    metadata: metadata(release, name, name),
    spec: {
      ...(args.length > 0 ? { args } : {}),
      metrics: [{ name, failureLimit: 0, provider: { job: { spec: job } } }],
    },
  });
}

/** The readiness URLs the smoke suite checks: every service of the colour under test. */
export function smokeHealthUrls(release: Release): string {
  const ns = release.values.namespace;
  const url = (service: string) => `http://${service}.${ns}.svc.cluster.local:${INTERNAL_PORT}/readyz`;
  return [url('web-preview'), url(`factory-${release.colour}`), url(`ordering-${release.colour}`)].join(',');
}

export function smokeTemplate(release: Release) {
  const pod = jobPodTemplate(release, {
    component: SMOKE,
    image: imageRef(release, 'smoke'),
    secretProvider: SMOKE,
    env: {
      BASE_URL: `https://${release.values.hosts.preview}`,
      SMOKE_HEALTH_URLS: smokeHealthUrls(release),
      SMOKE_OUTPUT_DIR: '/tmp/smoke-results',
    },
  });
  return template(release, SMOKE, jobSpec(release, release.values.analysis.smokeDeadlineSeconds, pod));
}

export function handoverTemplate(release: Release) {
  const pod = jobPodTemplate(release, {
    component: HANDOVER,
    image: imageRef(release, 'ordering'),
    // It writes release_control in Mongo with the ordering service's connection string.
    secretProvider: 'ordering',
    command: ['node', 'ordering/dist/release.js'],
    // An argument (defaulting to this release's colour): the first release runs the template by hand
    // with `--argument colour=…`, since Argo runs no analysis for a Rollout's first ReplicaSet.
    args: ['handover', '--colour', '{{args.colour}}'],
    env: {},
  });
  return template(release, HANDOVER, jobSpec(release, release.values.analysis.handoverDeadlineSeconds, pod), [
    { name: 'colour', value: release.colour },
  ]);
}
