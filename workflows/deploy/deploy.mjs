#!/usr/bin/env node
// Blue-green release to AKS with kubectl (run from a pipeline that is logged in to the cluster):
//   node workflows/deploy/deploy.mjs release --registry myacr.azurecr.io --tag 1.4.2
//   node workflows/deploy/deploy.mjs rollback
// The new colour starts beside the old one and must pass its readiness probes and the smoke tests
// before the stable Services switch to it; the old colour keeps running for an instant rollback.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { otherColour, releasePlan, services, stableService } from './manifests.mjs';

const namespace = process.env.AKS_NAMESPACE ?? 'az-shop';

function kubectl(args, input) {
  const result = spawnSync('kubectl', ['--namespace', namespace, ...args], {
    input,
    encoding: 'utf8',
    stdio: [input ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed`);
  return result.stdout.trim();
}

function liveColour() {
  try {
    return kubectl(['get', 'service', 'az-shop-web', '-o', 'jsonpath={.spec.selector.colour}']) || undefined;
  } catch {
    return undefined; // first release: no stable Service yet
  }
}

function apply(objects) {
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
}

function smoke(serviceName) {
  // A throw-away pod inside the cluster asks the new colour's readiness endpoint.
  kubectl([
    'run',
    `smoke-${Date.now()}`,
    '--rm',
    '-i',
    '--restart=Never',
    '--image=curlimages/curl',
    '--',
    'curl',
    '-fsS',
    `http://${serviceName}/readyz`,
  ]);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { registry: { type: 'string' }, tag: { type: 'string' } },
});

if (positionals[0] === 'release') {
  if (!values.registry || !values.tag) throw new Error('release needs --registry and --tag');
  const plan = releasePlan({
    liveColour: liveColour(),
    image: (service) => `${values.registry}/az-shop-${service}:${values.tag}`,
  });
  console.log(`releasing ${values.tag} as ${plan.next} (live: ${plan.previous ?? 'none'})`);
  for (const step of plan.steps) {
    if (step.kind === 'apply') apply(step.objects);
    if (step.kind === 'wait')
      kubectl(['rollout', 'status', `deployment/${step.deployment}`, '--timeout=300s']);
    if (step.kind === 'smoke') smoke(step.service);
    console.log(
      `  ✓ ${step.kind} ${step.deployment ?? step.service ?? step.objects.map((o) => o.metadata.name).join(', ')}`,
    );
  }
  console.log(`${plan.next} is live; ${plan.previous ?? 'no previous colour'} kept for rollback`);
} else if (positionals[0] === 'rollback') {
  const current = liveColour();
  if (!current) throw new Error('nothing is live');
  const previous = otherColour(current);
  apply(Object.keys(services).map((service) => stableService({ service, liveColour: previous, namespace })));
  console.log(`rolled back: ${previous} is live again`);
} else {
  console.error('usage: deploy.mjs release --registry R --tag T | rollback');
  process.exit(2);
}
