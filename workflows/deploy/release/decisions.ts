// Pure decisions of the release script: what the cluster's JSON says (live colour, preview colour,
// how far the Rollout got) and what may be done next. No I/O here: commands.ts asks kubectl and
// passes the parsed JSON in, so every rule is unit-tested with plain objects.

import { COLOUR_LABEL } from '../render/pod';
import { COLOURS, type Colour, PROCESSORS } from '../render/values';

// The colours, processors and colour label are the renderer's: the script reads what it rendered.
export { COLOUR_LABEL, COLOURS, type Colour, PROCESSORS };

/**
 * What `retire` deletes by colour label: every kind the renderer labels with a colour (a colour's
 * processors; web's objects carry no colour label). render.unit.spec.ts holds the two together.
 */
export const RETIRED_KINDS = [
  'deployments',
  'services',
  'scaledobjects',
  'triggerauthentications',
  'poddisruptionbudgets',
] as const;

/** Argo Rollouts labels each ReplicaSet of a Rollout with its pod template hash. */
const HASH_LABEL = 'rollouts-pod-template-hash';

export function isColour(value: unknown): value is Colour {
  return COLOURS.includes(value as Colour);
}

export function otherColour(colour: Colour): Colour {
  return colour === 'blue' ? 'green' : 'blue';
}

// The few fields of kubectl's JSON the script reads; everything else is ignored.
interface Metadata {
  name?: string;
  labels?: Record<string, string>;
  ownerReferences?: { kind?: string; name?: string }[];
}
interface AnalysisStatus {
  name?: string;
  status?: string;
}
export interface RolloutJson {
  metadata?: Metadata;
  spec?: { template?: { metadata?: Metadata } };
  status?: {
    phase?: string;
    message?: string;
    abort?: boolean;
    stableRS?: string;
    currentPodHash?: string;
    pauseConditions?: { reason?: string }[];
    blueGreen?: {
      activeSelector?: string;
      previewSelector?: string;
      prePromotionAnalysisRunStatus?: AnalysisStatus;
      postPromotionAnalysisRunStatus?: AnalysisStatus;
    };
  };
}
interface PodTemplateJson {
  metadata?: Metadata;
  spec?: { containers?: { name?: string; image?: string }[] };
}
export interface ReplicaSetJson {
  metadata?: Metadata;
  spec?: { replicas?: number; template?: PodTemplateJson };
  status?: { replicas?: number; readyReplicas?: number };
}
export interface DeploymentJson {
  metadata?: Metadata;
  spec?: { replicas?: number; template?: PodTemplateJson };
  status?: { replicas?: number; readyReplicas?: number };
}
export interface ListJson<T> {
  items?: T[];
}

/** A ReplicaSet of the Rollout `web`, as far as the release cares. */
export interface WebReplicaSet {
  name: string;
  hash: string;
  colour: Colour | undefined;
  ready: number;
  /** The image its pods run (`<registry>/az-shop-web:<tag>[@sha256:…]`). */
  image: string | undefined;
}

export interface ProcessorDeployment {
  name: string;
  colour: Colour | undefined;
  desired: number;
  ready: number;
  image: string | undefined;
}

/** The release's view of the cluster, read from the Rollout, its ReplicaSets and the Deployments. */
export interface ClusterState {
  phase: string;
  message: string;
  aborted: boolean;
  paused: boolean;
  /** The colour the shop's traffic goes to (the stable ReplicaSet's pod template label). */
  live: Colour | undefined;
  /** The colour waiting behind the preview Service, when a release is under way. */
  preview: Colour | undefined;
  /** The colour the Rollout's pod template asks for (the newest release). */
  desired: Colour | undefined;
  prePromotion: string | undefined;
  postPromotion: string | undefined;
  replicaSets: WebReplicaSet[];
  processors: ProcessorDeployment[];
}

function colourOf(labels: Record<string, string> | undefined): Colour | undefined {
  const colour = labels?.[COLOUR_LABEL];
  return isColour(colour) ? colour : undefined;
}

export function webReplicaSets(list: ListJson<ReplicaSetJson>): WebReplicaSet[] {
  return (list.items ?? [])
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Rollout' && o.name === 'web'))
    .map((rs) => ({
      name: rs.metadata?.name ?? '',
      hash: rs.metadata?.labels?.[HASH_LABEL] ?? '',
      colour: colourOf(rs.spec?.template?.metadata?.labels),
      ready: rs.status?.readyReplicas ?? 0,
      image: rs.spec?.template?.spec?.containers?.[0]?.image,
    }));
}

export function processorDeployments(list: ListJson<DeploymentJson>): ProcessorDeployment[] {
  return (list.items ?? [])
    .filter((d) => PROCESSORS.some((p) => d.metadata?.name?.startsWith(`${p}-`)))
    .map((d) => ({
      name: d.metadata?.name ?? '',
      colour: colourOf(d.metadata?.labels),
      desired: d.spec?.replicas ?? 0,
      ready: d.status?.readyReplicas ?? 0,
      image: d.spec?.template?.spec?.containers?.[0]?.image,
    }));
}

export function clusterState(
  rollout: RolloutJson,
  replicaSets: ListJson<ReplicaSetJson>,
  deployments: ListJson<DeploymentJson>,
): ClusterState {
  const status = rollout.status ?? {};
  const sets = webReplicaSets(replicaSets);
  const colourOfHash = (hash: string | undefined) =>
    hash ? sets.find((rs) => rs.hash === hash)?.colour : undefined;
  const live = colourOfHash(status.stableRS);
  const previewHash = status.blueGreen?.previewSelector;
  const preview = previewHash && previewHash !== status.stableRS ? colourOfHash(previewHash) : undefined;
  return {
    phase: status.phase ?? 'Unknown',
    message: status.message ?? '',
    aborted: status.abort === true,
    paused: (status.pauseConditions ?? []).some((c) => c.reason === 'BlueGreenPause'),
    live,
    preview,
    desired: colourOf(rollout.spec?.template?.metadata?.labels),
    prePromotion: status.blueGreen?.prePromotionAnalysisRunStatus?.status,
    postPromotion: status.blueGreen?.postPromotionAnalysisRunStatus?.status,
    replicaSets: sets,
    processors: processorDeployments(deployments),
  };
}

/** kubectl's answer when the object does not exist: the only failure that means "no release yet". */
export function isNotFound(stderr: string): boolean {
  return /Error from server \(NotFound\)/.test(stderr);
}

export type Decision<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A new release goes to the colour that is not live; refused while another release is under way. */
export function nextColour(state: ClusterState): Decision<Colour> {
  if (!state.live)
    return {
      ok: false,
      reason: `the Rollout web has no stable colour (phase ${state.phase}); look at it first`,
    };
  if (state.preview && !state.aborted)
    return {
      ok: false,
      reason: `a release of ${state.preview} is under way (phase ${state.phase}): promote it ("kubectl argo rollouts promote web -n az-shop") or abort it ("kubectl argo rollouts abort web -n az-shop") first`,
    };
  return { ok: true, value: otherColour(state.live) };
}

/** Where a release stands after apply, while the script waits to promote it. */
export type GateOutcome = 'waiting' | 'ready-to-promote' | 'aborted';

export function gateOutcome(state: ClusterState, next: Colour): GateOutcome {
  if (state.aborted || state.phase === 'Degraded') return 'aborted';
  const previewIsNext = state.preview === next;
  // Argo pauses the blue-green Rollout (BlueGreenPause) once the preview is up; promotion may go on
  // only once the `smoke` analysis has succeeded as well.
  if (previewIsNext && state.paused && state.prePromotion === 'Successful') return 'ready-to-promote';
  return 'waiting';
}

function readyProcessors(state: ClusterState, colour: Colour): string[] {
  return PROCESSORS.filter((p) =>
    state.processors.some((d) => d.name === `${p}-${colour}` && d.colour === colour && d.ready > 0),
  );
}

/**
 * Rollback returns traffic and processors to the other colour: only while that colour still runs
 * (web's ReplicaSet kept by scaleDownDelaySeconds, its processors not retired), with ready pods.
 */
export function rollbackTarget(state: ClusterState): Decision<Colour> {
  if (!state.live) return { ok: false, reason: 'nothing is live: there is nothing to roll back' };
  if (state.preview && !state.aborted)
    return {
      ok: false,
      reason: `a release of ${state.preview} is under way: abort it instead of rolling back`,
    };
  const previous = otherColour(state.live);
  const missing: string[] = [];
  if (!state.replicaSets.some((rs) => rs.colour === previous && rs.ready > 0))
    missing.push(`web's ${previous} ReplicaSet has no ready pods (scaled down after scaleDownDelaySeconds)`);
  const ready = readyProcessors(state, previous);
  for (const p of PROCESSORS)
    if (!ready.includes(p)) missing.push(`${p}-${previous} is not running with ready pods (retired?)`);
  if (missing.length > 0)
    return {
      ok: false,
      reason: `cannot roll back to ${previous}: ${missing.join('; ')}. Re-release the previous tag instead.`,
    };
  return { ok: true, value: previous };
}

/** `<registry>/az-shop-<service>:<tag>[@sha256:…]`: the tag and digest a release pinned. */
const IMAGE =
  /\/az-shop-(web|factory|ordering):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(?:@(sha256:[a-f0-9]{64}))?$/;

/**
 * What to render to roll back to `colour`: its own release again (the tag and digests its pods run),
 * so the Rollout's template and its analyses (smoke, processor hand-over) name that colour. An
 * `undo` would bring back the pod template only, and the hand-over would still name the other colour.
 */
export function rollbackRender(
  state: ClusterState,
  colour: Colour,
): Decision<{ tag: string; passThrough: string[] }> {
  const web = state.replicaSets.filter((rs) => rs.colour === colour && rs.ready > 0).at(-1)?.image;
  const images = [
    web,
    ...PROCESSORS.map((p) => state.processors.find((d) => d.name === `${p}-${colour}`)?.image),
  ];
  const parsed = images.map((image) => (image ? IMAGE.exec(image) : null));
  if (parsed.some((match) => !match))
    return {
      ok: false,
      reason: `cannot tell which release ${colour} runs from its images (${images.join(', ')})`,
    };
  const tags = new Set(parsed.map((match) => match![2]!));
  if (tags.size !== 1)
    return { ok: false, reason: `${colour}'s services run different tags (${[...tags].join(', ')})` };
  const passThrough = parsed.flatMap((match) => (match![3] ? [`--digest-${match![1]}`, match![3]] : []));
  return { ok: true, value: { tag: [...tags][0]!, passThrough } };
}

/** Retiring deletes a colour's processors: never the live colour's, nor a colour under release. */
export function retireTarget(state: ClusterState, requested: Colour | undefined): Decision<Colour> {
  if (!state.live) return { ok: false, reason: 'nothing is live: refusing to delete anything' };
  const colour = requested ?? otherColour(state.live);
  if (colour === state.live) return { ok: false, reason: `${colour} is live: refusing to retire it` };
  if (state.preview === colour && !state.aborted)
    return { ok: false, reason: `${colour} is being released (preview): refusing to retire it` };
  return { ok: true, value: colour };
}

/** The lines `status` prints. */
export function describe(state: ClusterState): string[] {
  const lines = [
    `live colour:    ${state.live ?? 'none'}`,
    `preview colour: ${state.preview ?? 'none'}`,
    `rollout phase:  ${state.phase}${state.aborted ? ' (aborted)' : ''}${state.message ? ` - ${state.message}` : ''}`,
  ];
  for (const colour of COLOURS) {
    const own = state.processors.filter((d) => d.colour === colour);
    const text = own.length ? own.map((d) => `${d.name} ${d.ready}/${d.desired} ready`).join(', ') : 'none';
    lines.push(`processors ${colour.padEnd(5)}: ${text}`);
  }
  return lines;
}
