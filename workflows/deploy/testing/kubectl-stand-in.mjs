#!/usr/bin/env node
// A stand-in for `kubectl` (and its `argo rollouts` plugin) in the release script's tests: put first on
// PATH as `kubectl`. It records every call (args and stdin) as a JSON line in $KUBECTL_STAND_IN_LOG
// and answers like the real tool from the JSON state file $KUBECTL_STAND_IN_STATE, which it updates
// the way the cluster and the Argo Rollouts controller would (apply, promote, delete).
//
// State: { rollout: Rollout|null, replicaSets: [], deployments: [], analysisRuns: {},
//          fail?: { stderr, code, match? }   every call (or those whose args contain `match`) fails,
//          scenario?: { gate: 'pass'|'fail', gateReads: n, handover: 'pass'|'fail' } }
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

const statePath = process.env.KUBECTL_STAND_IN_STATE;
const logPath = process.env.KUBECTL_STAND_IN_LOG;
if (!statePath || !logPath) {
  process.stderr.write('kubectl stand-in: KUBECTL_STAND_IN_STATE and KUBECTL_STAND_IN_LOG are required\n');
  process.exit(2);
}

const args = process.argv.slice(2);
const stdin = args.includes('-f') && args.includes('-') ? readFileSync(0, 'utf8') : undefined;
appendFileSync(logPath, `${JSON.stringify({ args, ...(stdin !== undefined && { stdin }) })}\n`);

const state = JSON.parse(readFileSync(statePath, 'utf8'));
const scenario = { gate: 'pass', gateReads: 1, handover: 'pass', ...state.scenario };
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
function answer(stdout, code = 0, stderr = '') {
  if (stdout) process.stdout.write(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
  if (stderr) process.stderr.write(stderr.endsWith('\n') ? stderr : `${stderr}\n`);
  process.exit(code);
}

if (state.fail && (!state.fail.match || args.join(' ').includes(state.fail.match)))
  answer('', state.fail.code ?? 1, state.fail.stderr);

// The release script must always name the namespace; the real kubectl would silently use another one.
const n = args.indexOf('-n');
if (n < 0 || args[n + 1] !== 'az-shop') answer('', 1, 'kubectl stand-in: this call does not say -n az-shop');
const rest = args.filter((_, i) => i !== n && i !== n + 1);
const command = rest.join(' ');

const notFound = 'Error from server (NotFound): rollouts.argoproj.io "web" not found';
const list = (items) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } });
const hashOf = (text) => createHash('sha256').update(text).digest('hex').slice(0, 10);
const colourLabel = 'az-shop/colour';

/** The first `image:` of a YAML document: the object's container image. */
const imageOf = (doc) => /^\s+image:\s*["']?([^\s"']+)/m.exec(doc)?.[1];
const podTemplate = (labels, image) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'app', image }] },
});

function addReplicaSet(colour, image) {
  state.revision = (state.revision ?? 0) + 1;
  const hash = hashOf(`${colour}-${state.revision}`);
  state.replicaSets.push({
    metadata: {
      name: `web-${hash}`,
      labels: { 'rollouts-pod-template-hash': hash },
      ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web' }],
      annotations: { 'rollout.argoproj.io/revision': String(state.revision) },
    },
    spec: { replicas: 2, template: podTemplate({ app: 'web', [colourLabel]: colour }, image) },
    status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
  });
  return hash;
}

/** A new pod template: Argo starts the preview ReplicaSet and, after `gateReads` reads, decides the gate. */
function startBlueGreen(colour, hash) {
  const rollout = state.rollout;
  rollout.spec.template.metadata.labels[colourLabel] = colour;
  rollout.status = {
    ...rollout.status,
    phase: 'Progressing',
    message: 'more replicas need to be updated',
    currentPodHash: hash,
    blueGreen: {
      ...rollout.status.blueGreen,
      previewSelector: hash,
      prePromotionAnalysisRunStatus: undefined,
    },
  };
  delete rollout.status.abort;
  state.gateReadsLeft = scenario.gateReads;
}

function decideGate() {
  const status = state.rollout.status;
  const run = { name: `web-${status.currentPodHash}-${state.revision}-pre`, status: 'Running' };
  if (scenario.gate === 'fail') {
    Object.assign(status, {
      phase: 'Degraded',
      abort: true,
      message: `RolloutAborted: Rollout aborted update to revision ${state.revision}: Metric "smoke" assessed Failed due to failed (1) > failureLimit (0)`,
      pauseConditions: undefined,
    });
    status.blueGreen.prePromotionAnalysisRunStatus = { ...run, status: 'Failed' };
  } else {
    Object.assign(status, {
      phase: 'Paused',
      message: 'BlueGreenPause',
      controllerPause: true,
      pauseConditions: [{ reason: 'BlueGreenPause', startTime: new Date().toISOString() }],
    });
    status.blueGreen.prePromotionAnalysisRunStatus = { ...run, status: 'Successful' };
  }
}

function apply(yaml) {
  const docs = yaml.split(/^---\s*$/m);
  const rolloutDoc = docs.find((doc) => /^kind:\s*Rollout\s*$/m.test(doc));
  const colour = rolloutDoc && /az-shop\/colour:\s*["']?(blue|green)/.exec(rolloutDoc)?.[1];
  if (!colour) answer('', 1, 'error: error validating "STDIN": no Rollout with an az-shop/colour label');
  const out = [];
  for (const doc of docs) {
    const kind = /^kind:\s*(\S+)/m.exec(doc)?.[1];
    const name = /^\s+name:\s*["']?([\w-]+)/m.exec(doc)?.[1];
    if (kind === 'Deployment' && name) {
      const existing = state.deployments.find((d) => d.metadata.name === name);
      const deployment = {
        metadata: { name, labels: { [colourLabel]: /-(blue|green)$/.exec(name)?.[1] } },
        spec: { replicas: 2, template: podTemplate({}, imageOf(doc)) },
        status: { replicas: 2, readyReplicas: 2 },
      };
      if (existing) Object.assign(existing, deployment);
      else state.deployments.push(deployment);
      out.push(`deployment.apps/${name} ${existing ? 'configured' : 'created'}`);
    }
  }
  const hash = addReplicaSet(colour, imageOf(rolloutDoc));
  if (!state.rollout) {
    // The first ReplicaSet of a Rollout goes straight to stable: Argo runs no analysis for it.
    state.rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace: 'az-shop' },
      spec: { template: { metadata: { labels: { app: 'web', [colourLabel]: colour } } } },
      status: {
        phase: 'Healthy',
        stableRS: hash,
        currentPodHash: hash,
        blueGreen: { activeSelector: hash, previewSelector: hash },
      },
    };
    out.push('rollout.argoproj.io/web created');
  } else {
    startBlueGreen(colour, hash);
    out.push('rollout.argoproj.io/web configured');
  }
  save();
  answer(out.join('\n'));
}

function promote() {
  const status = state.rollout.status;
  const previous = status.stableRS;
  delete status.pauseConditions;
  delete status.controllerPause;
  if (scenario.handover === 'fail') {
    // postPromotionAnalysis failed: Argo aborts and the active Service goes back to the old ReplicaSet.
    Object.assign(status, {
      phase: 'Degraded',
      abort: true,
      message: `RolloutAborted: Rollout aborted update to revision ${state.revision}: Metric "processor-handover" assessed Failed due to failed (1) > failureLimit (0)`,
    });
    status.blueGreen.activeSelector = previous;
    status.blueGreen.postPromotionAnalysisRunStatus = { name: 'post', status: 'Failed' };
  } else {
    Object.assign(status, { phase: 'Healthy', message: '', stableRS: status.currentPodHash });
    status.blueGreen.activeSelector = status.currentPodHash;
    status.blueGreen.previewSelector = status.currentPodHash;
    status.blueGreen.postPromotionAnalysisRunStatus = { name: 'post', status: 'Successful' };
  }
  save();
  answer("rollout 'web' promoted");
}

function argoStatus() {
  if (!state.rollout) answer('', 1, 'Error: rollouts.argoproj.io "web" not found');
  const { phase, message } = state.rollout.status;
  if (phase === 'Healthy') answer('Healthy');
  if (phase === 'Degraded')
    answer(`Degraded - ${message}`, 1, `Error: The rollout is in a degraded state with message: ${message}`);
  answer(`${phase} - ${message}`, 1, 'Error: Rollout status watch exceeded timeout');
}

function option(name) {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
}

if (command === 'get rollout web -o json') {
  if (!state.rollout) answer('', 1, notFound);
  if (state.gateReadsLeft !== undefined && state.rollout.status.phase === 'Progressing') {
    if (state.gateReadsLeft <= 0) {
      decideGate();
      delete state.gateReadsLeft;
    } else state.gateReadsLeft -= 1;
    save();
  }
  answer(JSON.stringify(state.rollout));
}
if (command === 'get replicasets -o json') answer(list(state.replicaSets));
if (command === `get deployments -l ${colourLabel} -o json`) answer(list(state.deployments));
if (/^get analysisrun \S+ -o json$/.test(command)) {
  const name = rest[2];
  const run = state.analysisRuns?.[name];
  if (!run) answer('', 1, `Error from server (NotFound): analysisruns.argoproj.io "${name}" not found`);
  answer(JSON.stringify({ metadata: { name }, ...run }));
}
if (command === 'apply -f -') apply(stdin);
if (/^argo rollouts status web( --timeout \S+)?$/.test(command)) argoStatus();
if (command === 'argo rollouts promote web') {
  if (!state.rollout) answer('', 1, 'Error: rollouts.argoproj.io "web" not found');
  promote();
}
if (command.startsWith('argo rollouts create analysisrun ')) {
  const name = option('--name');
  state.analysisRuns = {
    ...state.analysisRuns,
    [name]: { status: { phase: scenario.handover === 'fail' ? 'Failed' : 'Successful', message: '' } },
  };
  save();
  answer(`analysisrun.argoproj.io/${name} created`);
}
const deleting =
  /^delete deployments,services,scaledobjects,triggerauthentications,poddisruptionbudgets -l az-shop\/colour=(blue|green)$/.exec(
    command,
  );
if (deleting) {
  const colour = deleting[1];
  const gone = state.deployments.filter((d) => d.metadata.labels[colourLabel] === colour);
  state.deployments = state.deployments.filter((d) => !gone.includes(d));
  save();
  if (gone.length === 0) answer('No resources found');
  answer(
    gone
      .flatMap(({ metadata: { name } }) => [
        `deployment.apps "${name}" deleted`,
        `service "${name}" deleted`,
        `scaledobject.keda.sh "${name}" deleted`,
        `triggerauthentication.keda.sh "${name}" deleted`,
        `poddisruptionbudget.policy "${name}" deleted`,
      ])
      .join('\n'),
  );
}
answer('', 99, `kubectl stand-in: no answer for: kubectl ${args.join(' ')}`);
