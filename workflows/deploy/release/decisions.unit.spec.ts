import { describe, expect, it } from 'vitest';
import {
  type ClusterState,
  clusterState,
  type DeploymentJson,
  describe as describeState,
  gateOutcome,
  isNotFound,
  type ListJson,
  nextColour,
  type ReplicaSetJson,
  type RolloutJson,
  retireTarget,
  rollbackRender,
  rollbackTarget,
} from './decisions';

// Builders of the JSON kubectl returns, with only the fields the decisions read.
const owner = [{ kind: 'Rollout', name: 'web' }];
function replicaSet(hash: string, colour: string, ready = 2): ReplicaSetJson {
  return {
    metadata: { name: `web-${hash}`, labels: { 'rollouts-pod-template-hash': hash }, ownerReferences: owner },
    spec: { replicas: 2, template: { metadata: { labels: { 'az-shop/colour': colour } } } },
    status: { replicas: 2, readyReplicas: ready },
  };
}
function deployment(name: string, ready = 1): DeploymentJson {
  const colour = name.split('-')[1] ?? '';
  return {
    metadata: { name, labels: { 'az-shop/colour': colour } },
    spec: { replicas: 1 },
    status: { readyReplicas: ready },
  };
}
const allProcessors = ['factory-blue', 'ordering-blue', 'factory-green', 'ordering-green'].map((n) =>
  deployment(n),
);

function rollout(status: NonNullable<RolloutJson['status']>, templateColour = 'green'): RolloutJson {
  return { spec: { template: { metadata: { labels: { 'az-shop/colour': templateColour } } } }, status };
}
const healthyGreen = rollout({
  phase: 'Healthy',
  stableRS: 'g1',
  currentPodHash: 'g1',
  blueGreen: { activeSelector: 'g1', previewSelector: 'g1' },
});
const list = <T>(items: T[]): ListJson<T> => ({ items });
const twoColours = list([replicaSet('b1', 'blue'), replicaSet('g1', 'green')]);

function state(
  r: RolloutJson,
  sets: ListJson<ReplicaSetJson> = twoColours,
  deployments: DeploymentJson[] = allProcessors,
): ClusterState {
  return clusterState(r, sets, list(deployments));
}

describe('reading the cluster', () => {
  it('takes the live colour from the stable ReplicaSet, not from the pod template', () => {
    // Given a release of blue aborted by the smoke gate: the template asks for blue, green is stable
    const aborted = rollout(
      {
        phase: 'Degraded',
        abort: true,
        stableRS: 'g1',
        currentPodHash: 'b2',
        blueGreen: {
          activeSelector: 'g1',
          previewSelector: 'b2',
          prePromotionAnalysisRunStatus: { status: 'Failed' },
        },
      },
      'blue',
    );
    // When the state is read
    const read = state(aborted, list([replicaSet('g1', 'green'), replicaSet('b2', 'blue')]));
    // Then green is live, blue the aborted preview
    expect(read).toMatchObject({
      live: 'green',
      preview: 'blue',
      desired: 'blue',
      aborted: true,
      phase: 'Degraded',
    });
  });

  it('ignores ReplicaSets that the Rollout web does not own', () => {
    // Given a ReplicaSet of another owner with the stable hash
    const stranger = {
      ...replicaSet('g1', 'blue'),
      metadata: { labels: { 'rollouts-pod-template-hash': 'g1' } },
    };
    // When the state is read, then its colour is not taken for the live one
    expect(state(healthyGreen, list([stranger])).live).toBeUndefined();
  });

  it('tells NotFound apart from every other kubectl failure', () => {
    expect(isNotFound('Error from server (NotFound): rollouts.argoproj.io "web" not found')).toBe(true);
    expect(isNotFound('error: You must be logged in to the server (Unauthorized)')).toBe(false);
    expect(isNotFound('Unable to connect to the server: dial tcp: i/o timeout')).toBe(false);
    expect(isNotFound('error: the server doesn\'t have a resource type "rollout"')).toBe(false);
  });
});

describe('which colour a release goes to', () => {
  it('the one that is not live', () => {
    expect(nextColour(state(healthyGreen))).toEqual({ ok: true, value: 'blue' });
  });

  it('again the aborted one after a failed gate (the previous release left nothing running)', () => {
    const aborted = rollout({
      phase: 'Degraded',
      abort: true,
      stableRS: 'g1',
      blueGreen: { previewSelector: 'b2' },
    });
    expect(nextColour(state(aborted, list([replicaSet('g1', 'green'), replicaSet('b2', 'blue')])))).toEqual({
      ok: true,
      value: 'blue',
    });
  });

  it('none while another release waits for promotion', () => {
    const paused = rollout({ phase: 'Paused', stableRS: 'g1', blueGreen: { previewSelector: 'b1' } });
    const decision = nextColour(state(paused));
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.reason).toContain('a release of blue is under way');
  });

  it('none when no ReplicaSet is stable', () => {
    expect(nextColour(state(rollout({ phase: 'Progressing' }))).ok).toBe(false);
  });
});

describe('the smoke gate', () => {
  const preview = (status: NonNullable<RolloutJson['status']>) =>
    state(rollout({ stableRS: 'g1', currentPodHash: 'b1', ...status }));

  it('is passed once Argo paused the Rollout and the smoke analysis succeeded', () => {
    const ready = preview({
      phase: 'Paused',
      pauseConditions: [{ reason: 'BlueGreenPause' }],
      blueGreen: { previewSelector: 'b1', prePromotionAnalysisRunStatus: { status: 'Successful' } },
    });
    expect(gateOutcome(ready, 'blue')).toBe('ready-to-promote');
  });

  it('is still waiting while the analysis runs, even if the Rollout is already paused', () => {
    const running = preview({
      phase: 'Paused',
      pauseConditions: [{ reason: 'BlueGreenPause' }],
      blueGreen: { previewSelector: 'b1', prePromotionAnalysisRunStatus: { status: 'Running' } },
    });
    expect(gateOutcome(running, 'blue')).toBe('waiting');
  });

  it('is still waiting while the preview is not yet the new colour', () => {
    const starting = preview({ phase: 'Progressing', blueGreen: { previewSelector: 'g1' } });
    expect(gateOutcome(starting, 'blue')).toBe('waiting');
  });

  it('failed when the Rollout aborted (Degraded)', () => {
    const aborted = preview({
      phase: 'Degraded',
      abort: true,
      blueGreen: { previewSelector: 'b1', prePromotionAnalysisRunStatus: { status: 'Failed' } },
    });
    expect(gateOutcome(aborted, 'blue')).toBe('aborted');
  });
});

describe('whether rollback is allowed', () => {
  it('yes while the previous colour still runs with ready pods', () => {
    expect(rollbackTarget(state(healthyGreen))).toEqual({ ok: true, value: 'blue' });
  });

  it("no once web's previous ReplicaSet has scaled down", () => {
    const scaledDown = list([replicaSet('b1', 'blue', 0), replicaSet('g1', 'green')]);
    const decision = rollbackTarget(state(healthyGreen, scaledDown));
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.reason).toContain('Re-release the previous tag instead');
  });

  it('no once the previous colour is retired or one of its processors has no ready pod', () => {
    const retired = rollbackTarget(state(healthyGreen, twoColours, allProcessors.slice(2)));
    expect(!retired.ok && retired.reason).toContain('factory-blue is not running');
    const notReady = [deployment('factory-blue'), deployment('ordering-blue', 0), ...allProcessors.slice(2)];
    const decision = rollbackTarget(state(healthyGreen, twoColours, notReady));
    expect(!decision.ok && decision.reason).toMatch(
      /ordering-blue is not running.*Re-release the previous tag/,
    );
  });

  it('no while a release waits for promotion', () => {
    const paused = rollout({ phase: 'Paused', stableRS: 'g1', blueGreen: { previewSelector: 'b1' } });
    expect(rollbackTarget(state(paused)).ok).toBe(false);
  });
});

describe('which colour retire deletes', () => {
  it('the non-live one by default', () => {
    expect(retireTarget(state(healthyGreen), undefined)).toEqual({ ok: true, value: 'blue' });
  });

  it('never the live one', () => {
    const decision = retireTarget(state(healthyGreen), 'green');
    expect(!decision.ok && decision.reason).toBe('green is live: refusing to retire it');
  });

  it('never the colour of a release waiting for promotion', () => {
    const paused = rollout({ phase: 'Paused', stableRS: 'g1', blueGreen: { previewSelector: 'b1' } });
    expect(retireTarget(state(paused), undefined).ok).toBe(false);
  });
});

describe('status', () => {
  it('names live and preview colours, the phase and each colour processors', () => {
    const paused = rollout({ phase: 'Paused', stableRS: 'g1', blueGreen: { previewSelector: 'b1' } });
    const lines = describeState(
      state(paused, twoColours, [deployment('factory-blue'), deployment('ordering-blue', 0)]),
    );
    expect(lines).toEqual([
      'live colour:    green',
      'preview colour: blue',
      'rollout phase:  Paused',
      'processors blue : factory-blue 1/1 ready, ordering-blue 0/1 ready',
      'processors green: none',
    ]);
  });
});

describe('what a rollback renders', () => {
  const image = (service: string, tag: string, digest?: string) =>
    `azshopacr.azurecr.io/az-shop-${service}:${tag}${digest ? `@${digest}` : ''}`;
  const digest = `sha256:${'b'.repeat(64)}`;
  const cluster = (webImage: string, processorTag = '1.0.0'): ClusterState => ({
    phase: 'Healthy',
    message: '',
    aborted: false,
    paused: false,
    live: 'green',
    preview: undefined,
    desired: 'green',
    prePromotion: undefined,
    postPromotion: 'Successful',
    replicaSets: [
      { name: 'web-1', hash: '1', colour: 'blue', ready: 2, image: webImage },
      { name: 'web-2', hash: '2', colour: 'green', ready: 2, image: image('web', '1.1.0') },
    ],
    processors: ['factory', 'ordering'].flatMap((p) => [
      { name: `${p}-blue`, colour: 'blue' as const, desired: 1, ready: 1, image: image(p, processorTag) },
      { name: `${p}-green`, colour: 'green' as const, desired: 1, ready: 1, image: image(p, '1.1.0') },
    ]),
  });

  it('given blue runs 1.0.0 with a pinned web image, then blue is rendered with that tag and digest', () => {
    expect(rollbackRender(cluster(image('web', '1.0.0', digest)), 'blue')).toEqual({
      ok: true,
      value: { tag: '1.0.0', passThrough: ['--digest-web', digest] },
    });
  });

  it('given blue runs different tags, then the rollback is refused', () => {
    const decision = rollbackRender(cluster(image('web', '1.0.0'), '0.9.0'), 'blue');
    expect(decision.ok).toBe(false);
  });

  it('given an image that is not one of the shop, then the rollback is refused', () => {
    expect(rollbackRender(cluster('nginx:1.27'), 'blue').ok).toBe(false);
  });
});
