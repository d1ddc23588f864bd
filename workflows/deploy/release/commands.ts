import {
  type ClusterState,
  COLOUR_LABEL,
  type Colour,
  clusterState,
  type DeploymentJson,
  describe,
  gateOutcome,
  isNotFound,
  type ListJson,
  nextColour,
  otherColour,
  RETIRED_KINDS,
  type ReplicaSetJson,
  type RolloutJson,
  retireTarget,
  rollbackRender,
  rollbackTarget,
} from './decisions';
import { type Kubectl, KubectlError, type Run } from './kubectl';

/** A refusal or a failed step: the message is the whole story, printed without a stack trace. */
export class ReleaseError extends Error {}

export interface ReleaseDeps {
  kubectl: Kubectl;
  run: Run;
  /** The renderer's command line before its options (RENDER_COMMAND, else npm run deploy:render). */
  renderCommand: string[];
  log: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  /** How often to look at the Rollout while waiting for the smoke gate, and for how long at most. */
  pollMs: number;
  gateTimeoutMs: number;
  /** `kubectl argo rollouts status --timeout` while waiting for a promotion to complete. */
  statusTimeout: string;
}

/** What a release renders: the tag, and options passed through to the renderer (--values, --digest-*). */
export interface RenderOptions {
  tag: string;
  passThrough: string[];
}

/** The AnalysisTemplate Argo runs after promotion; first-release runs it itself (see firstRelease). */
const HANDOVER_TEMPLATE = 'processor-handover';

function parse<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ReleaseError(`kubectl answered ${what} with something that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** The cluster's state, or undefined when the Rollout does not exist. Any other failure throws. */
export function readState(k: Kubectl): ClusterState | undefined {
  const args = ['get', 'rollout', 'web', '-o', 'json'];
  const result = k.call(args);
  if (result.code !== 0) {
    // Only NotFound means "no release yet": Unauthorized, a wrong context or a timeout must stop the
    // release, not make it start from scratch.
    if (isNotFound(result.stderr)) return undefined;
    throw new KubectlError(args, result);
  }
  const rollout = parse<RolloutJson>(result.stdout, 'get rollout web');
  const replicaSets = parse<ListJson<ReplicaSetJson>>(
    k.ok(['get', 'replicasets', '-o', 'json']),
    'get replicasets',
  );
  const deployments = parse<ListJson<DeploymentJson>>(
    k.ok(['get', 'deployments', '-l', COLOUR_LABEL, '-o', 'json']),
    'get deployments',
  );
  return clusterState(rollout, replicaSets, deployments);
}

function requireState(k: Kubectl): ClusterState {
  const state = readState(k);
  if (!state)
    throw new ReleaseError('There is no release yet (no Rollout web in az-shop): run first-release.');
  return state;
}

function render(deps: ReleaseDeps, colour: Colour, options: RenderOptions): string {
  const [command, ...prefix] = deps.renderCommand;
  if (!command) throw new ReleaseError('no render command');
  const args = [...prefix, '--colour', colour, '--tag', options.tag, ...options.passThrough];
  const result = deps.run(command, args);
  if (result.code !== 0 || !result.stdout.trim())
    throw new ReleaseError(
      `rendering ${colour} failed (${[command, ...args].join(' ')}, exit ${result.code}): ${result.stderr.trim()}`,
    );
  return result.stdout;
}

function apply(deps: ReleaseDeps, colour: Colour, options: RenderOptions): void {
  const yaml = render(deps, colour, options);
  deps.log(`rendered ${colour} (${options.tag}); applying`);
  deps.kubectl.ok(['apply', '-f', '-'], yaml);
}

/** Waits until the Rollout is Healthy (`kubectl argo rollouts status` ends on Healthy or Degraded). */
function waitHealthy(deps: ReleaseDeps): { ok: true } | { ok: false; output: string } {
  const result = deps.kubectl.call(['argo', 'rollouts', 'status', 'web', '--timeout', deps.statusTimeout]);
  if (result.code === 0) return { ok: true };
  return { ok: false, output: `${result.stdout}${result.stderr}`.trim() };
}

/** Polls the Rollout until the preview of `next` passed the smoke gate and Argo paused for promotion. */
async function waitForGate(deps: ReleaseDeps, next: Colour, live: Colour): Promise<void> {
  const deadline = Date.now() + deps.gateTimeoutMs;
  for (;;) {
    const state = requireState(deps.kubectl);
    const outcome = gateOutcome(state, next);
    if (outcome === 'ready-to-promote') {
      deps.log(`${next} passed the smoke gate and waits for promotion`);
      return;
    }
    if (outcome === 'aborted')
      throw new ReleaseError(
        `The release of ${next} was aborted before promotion (${state.phase}: ${state.message || 'no message'}; ` +
          `smoke analysis ${state.prePromotion ?? 'not run'}). Traffic and processors are unchanged: ${live} is live.`,
      );
    if (Date.now() >= deadline)
      throw new ReleaseError(
        `${next} did not pass the smoke gate within ${deps.gateTimeoutMs / 1000} s (phase ${state.phase}, ` +
          `smoke analysis ${state.prePromotion ?? 'not started'}). Nothing was promoted: ${live} is live. ` +
          'Abort it with "kubectl argo rollouts abort web -n az-shop" or look at it first.',
      );
    await deps.sleep(deps.pollMs);
  }
}

/** Promote, wait for Argo's processor-handover analysis and for the Rollout to be Healthy on `next`. */
function promote(deps: ReleaseDeps, next: Colour, previous: Colour): void {
  deps.kubectl.ok(['argo', 'rollouts', 'promote', 'web']);
  deps.log(`promoted ${next}; waiting for the processors' handover and a healthy Rollout`);
  const healthy = waitHealthy(deps);
  if (!healthy.ok)
    throw new ReleaseError(
      `After promotion the Rollout did not become healthy:\n${healthy.output}\n` +
        `If the processor-handover analysis failed, Argo aborted: traffic went back to ${previous} and the ` +
        `handover job handed the processors back to ${previous}. Check with: release status`,
    );
  const state = requireState(deps.kubectl);
  if (state.live !== next)
    throw new ReleaseError(
      `the Rollout is healthy but its stable colour is ${state.live ?? 'unknown'}, not ${next}`,
    );
  deps.log(
    `${next} is live (processor handover ${state.postPromotion ?? 'not reported'}); ${previous} kept for rollback`,
  );
}

/** Runs the processor-handover analysis once by hand and waits for its verdict. */
async function runHandover(deps: ReleaseDeps, colour: Colour): Promise<void> {
  const name = `${HANDOVER_TEMPLATE}-${colour}-${Date.now()}`;
  deps.kubectl.ok([
    'argo',
    'rollouts',
    'create',
    'analysisrun',
    '--from',
    HANDOVER_TEMPLATE,
    '--name',
    name,
    '--argument',
    `colour=${colour}`,
  ]);
  const deadline = Date.now() + deps.gateTimeoutMs;
  for (;;) {
    const run = parse<{ status?: { phase?: string; message?: string } }>(
      deps.kubectl.ok(['get', 'analysisrun', name, '-o', 'json']),
      `get analysisrun ${name}`,
    );
    const phase = run.status?.phase;
    if (phase === 'Successful') return;
    if (phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive')
      throw new ReleaseError(
        `the processors' handover to ${colour} failed (AnalysisRun ${name}: ${phase} ${run.status?.message ?? ''})`,
      );
    if (Date.now() >= deadline)
      throw new ReleaseError(
        `the processors' handover to ${colour} did not finish (AnalysisRun ${name}: ${phase})`,
      );
    await deps.sleep(deps.pollMs);
  }
}

export async function firstRelease(deps: ReleaseDeps, options: RenderOptions): Promise<void> {
  const existing = readState(deps.kubectl);
  if (existing)
    throw new ReleaseError(
      `The Rollout web already exists (live: ${existing.live ?? 'none'}, phase ${existing.phase}): use release.`,
    );
  const colour: Colour = 'blue';
  apply(deps, colour, options);
  const healthy = waitHealthy(deps);
  if (!healthy.ok) throw new ReleaseError(`The first release did not become healthy:\n${healthy.output}`);
  const state = requireState(deps.kubectl);
  if (state.live !== colour)
    throw new ReleaseError(`the Rollout is healthy but its stable colour is ${state.live}`);
  // Argo runs no analysis for a Rollout's first ReplicaSet: run the handover here, so the processors
  // of the first colour are active before the script says the shop is live.
  if (state.postPromotion === 'Successful') deps.log('processor handover done by Argo');
  else {
    deps.log(`handing the processors over to ${colour}`);
    await runHandover(deps, colour);
  }
  deps.log(`${colour} is live with ${options.tag}`);
}

export async function release(deps: ReleaseDeps, options: RenderOptions): Promise<void> {
  const state = requireState(deps.kubectl);
  const next = nextColour(state);
  if (!next.ok) throw new ReleaseError(next.reason);
  const live = otherColour(next.value);
  deps.log(`releasing ${options.tag} as ${next.value} (live: ${live})`);
  apply(deps, next.value, options);
  await waitForGate(deps, next.value, live);
  promote(deps, next.value, live);
}

export async function rollback(deps: ReleaseDeps): Promise<void> {
  const state = requireState(deps.kubectl);
  const target = rollbackTarget(state);
  if (!target.ok) throw new ReleaseError(target.reason);
  const live = otherColour(target.value);
  const previous = rollbackRender(state, target.value);
  if (!previous.ok) throw new ReleaseError(previous.reason);
  deps.log(`rolling back from ${live} to ${target.value} (${previous.value.tag})`);
  apply(deps, target.value, previous.value);
  await waitForGate(deps, target.value, live);
  promote(deps, target.value, live);
}

export function retire(deps: ReleaseDeps, requested: Colour | undefined): void {
  const state = requireState(deps.kubectl);
  const target = retireTarget(state, requested);
  if (!target.ok) throw new ReleaseError(target.reason);
  deps.log(`retiring ${target.value}'s processors (${state.live} is live)`);
  const out = deps.kubectl.ok(['delete', RETIRED_KINDS.join(','), '-l', `${COLOUR_LABEL}=${target.value}`]);
  for (const line of out.trim().split('\n')) if (line) deps.log(`  ${line}`);
}

export function status(deps: ReleaseDeps): void {
  const state = readState(deps.kubectl);
  if (!state) {
    deps.log('no release yet (no Rollout web in az-shop)');
    return;
  }
  for (const line of describe(state)) deps.log(line);
}
