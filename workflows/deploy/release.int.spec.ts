import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The release script end to end against the kubectl stand-in (testing/kubectl-stand-in.mjs, first on
// PATH as `kubectl`) and a stand-in renderer (RENDER_COMMAND): what it asks the cluster, in which
// order, what it refuses, and what the cluster looks like afterwards.

const here = import.meta.dirname;
const releaseScript = join(here, 'release.ts');
const standIn = join(here, 'testing/kubectl-stand-in.mjs');

/** Prints what the real renderer would, as far as the stand-in reads it, and records its arguments. */
const RENDERER = `
import { appendFileSync } from 'node:fs';
const args = process.argv.slice(2);
appendFileSync(process.env.RENDER_LOG, JSON.stringify(args) + '\\n');
const colour = args[args.indexOf('--colour') + 1];
const tag = args[args.indexOf('--tag') + 1];
const pinned = (service) => {
  const i = args.indexOf('--digest-' + service);
  return 'azshopacr.azurecr.io/az-shop-' + service + ':' + tag + (i >= 0 ? '@' + args[i + 1] : '');
};
const image = (service) => \`  template:\\n    spec:\\n      containers:\\n        - name: \${service}\\n          image: \${pinned(service)}\\n\`;
const doc = (kind, name, extra = '') =>
  \`apiVersion: v1\\nkind: \${kind}\\nmetadata:\\n  name: \${name}\\n  namespace: az-shop\\n  labels:\\n    az-shop/colour: \${colour}\\n\${extra}\`;
console.log([
  doc('Deployment', 'factory-' + colour, 'spec:\\n' + image('factory')),
  doc('Deployment', 'ordering-' + colour, 'spec:\\n' + image('ordering')),
  doc('Rollout', 'web', \`spec:\\n  template:\\n    metadata:\\n      labels:\\n        az-shop/colour: \${colour}\\n    spec:\\n      containers:\\n        - name: web\\n          image: \${pinned('web')}\\n\`),
].join('---\\n'));
`;

interface Call {
  args: string[];
  stdin?: string;
}
interface Scenario {
  gate?: 'pass' | 'fail';
  gateReads?: number;
  handover?: 'pass' | 'fail';
}
interface StandInState {
  rollout: {
    status: { phase: string; stableRS?: string; abort?: boolean };
    spec: { template: { metadata: { labels: Record<string, string> } } };
  } | null;
  replicaSets: {
    metadata: { name: string; labels: Record<string, string> };
    spec: { template: { metadata: { labels: Record<string, string> } } };
    status: { readyReplicas: number };
  }[];
  deployments: { metadata: { name: string; labels: Record<string, string> } }[];
  scenario?: Scenario;
  fail?: { stderr: string; code: number; match?: string };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh, empty cluster (no Rollout yet) with its own stand-in state, call log and renderer. */
function cluster() {
  const dir = mkdtempSync(join(tmpdir(), 'release-'));
  dirs.push(dir);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(standIn, join(bin, 'kubectl'));
  chmodSync(standIn, 0o755);
  const renderer = join(dir, 'render.mjs');
  writeFileSync(renderer, RENDERER);
  const files = {
    state: join(dir, 'state.json'),
    log: join(dir, 'kubectl.log'),
    renderLog: join(dir, 'render.log'),
  };
  writeFileSync(files.state, JSON.stringify({ rollout: null, replicaSets: [], deployments: [] }));
  writeFileSync(files.log, '');
  writeFileSync(files.renderLog, '');

  const state = (): StandInState => JSON.parse(readFileSync(files.state, 'utf8'));
  const change = (edit: (state: StandInState) => void) => {
    const next = state();
    edit(next);
    writeFileSync(files.state, JSON.stringify(next));
  };
  const readLines = <T>(file: string): T[] =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as T);

  return {
    state,
    change,
    /** Forgets the calls so far: each step of a test looks at its own. */
    clearLog: () => {
      writeFileSync(files.log, '');
      writeFileSync(files.renderLog, '');
    },
    calls: () => readLines<Call>(files.log),
    commands: () => readLines<Call>(files.log).map((call) => call.args.join(' ')),
    renders: () => readLines<string[]>(files.renderLog),
    liveColour(): string | undefined {
      const s = state();
      const stable = s.replicaSets.find(
        (rs) => rs.metadata.labels['rollouts-pod-template-hash'] === s.rollout?.status.stableRS,
      );
      return stable?.spec.template.metadata.labels['az-shop/colour'];
    },
    release(...args: string[]) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', releaseScript, ...args], {
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          KUBECTL_STAND_IN_STATE: files.state,
          KUBECTL_STAND_IN_LOG: files.log,
          RENDER_COMMAND: `${process.execPath} ${renderer}`,
          RENDER_LOG: files.renderLog,
          RELEASE_POLL_SECONDS: '0.01',
          RELEASE_GATE_TIMEOUT_SECONDS: '10',
        },
      });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    },
  };
}
type Cluster = ReturnType<typeof cluster>;

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Given: blue released first, then green released and live (blue kept for rollback). */
function greenLiveAfterTwoReleases(): Cluster {
  const c = cluster();
  expect(c.release('first-release', '--tag', '1.0.0', '--digest-web', DIGEST).code).toBe(0);
  expect(c.release('release', '--tag', '1.1.0').code).toBe(0);
  expect(c.liveColour()).toBe('green');
  c.clearLog();
  return c;
}

describe('release.ts against a stand-in kubectl', () => {
  it('first-release renders blue, applies it, waits for a healthy Rollout and runs the processor handover', () => {
    const c = cluster();

    const result = c.release('first-release', '--tag', '1.0.0', '--digest-web', DIGEST);

    expect(result.code, result.stderr).toBe(0);
    expect(c.renders()).toEqual([['--colour', 'blue', '--tag', '1.0.0', '--digest-web', DIGEST]]);
    const commands = c.commands();
    expect(commands[0]).toBe('get rollout web -o json -n az-shop');
    expect(commands).toContain('apply -f - -n az-shop');
    expect(c.calls().find((call) => call.args[0] === 'apply')?.stdin).toContain('az-shop/colour: blue');
    const status = commands.indexOf('argo rollouts status web --timeout 30m -n az-shop');
    const handover = commands.findIndex((cmd) =>
      /^argo rollouts create analysisrun --from processor-handover --name \S+ --argument colour=blue -n az-shop$/.test(
        cmd,
      ),
    );
    expect(status).toBeGreaterThan(commands.indexOf('apply -f - -n az-shop'));
    expect(handover).toBeGreaterThan(status);
    expect(
      commands.slice(handover).some((cmd) => cmd.startsWith('get analysisrun processor-handover-blue-')),
    ).toBe(true);
    expect(c.liveColour()).toBe('blue');
    expect(result.stdout).toContain('blue is live with 1.0.0');
  });

  it('first-release fails when the processors handover fails', () => {
    const c = cluster();
    c.change((s) => {
      s.scenario = { handover: 'fail' };
    });

    const result = c.release('first-release', '--tag', '1.0.0');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("the processors' handover to blue failed");
  });

  it('release renders the other colour, waits for the smoke gate, promotes and waits for completion', () => {
    const c = cluster();
    expect(c.release('first-release', '--tag', '1.0.0').code).toBe(0);
    c.change((s) => {
      s.scenario = { gateReads: 2 };
    });
    c.clearLog();

    const result = c.release('release', '--tag', '1.1.0');

    expect(result.code, result.stderr).toBe(0);
    expect(c.renders()).toEqual([['--colour', 'green', '--tag', '1.1.0']]);
    const commands = c.commands();
    const applied = commands.indexOf('apply -f - -n az-shop');
    const promoted = commands.indexOf('argo rollouts promote web -n az-shop');
    // The gate took two more reads of the Rollout before Argo paused it for promotion.
    const readsBetween = commands
      .slice(applied, promoted)
      .filter((cmd) => cmd === 'get rollout web -o json -n az-shop');
    expect(readsBetween.length).toBeGreaterThanOrEqual(3);
    expect(promoted).toBeGreaterThan(applied);
    expect(commands.slice(promoted)).toContain('argo rollouts status web --timeout 30m -n az-shop');
    expect(c.liveColour()).toBe('green');
    expect(result.stdout).toContain('green is live');
    for (const call of c.calls()) expect(call.args.slice(-2), call.args.join(' ')).toEqual(['-n', 'az-shop']);
  });

  it('a failed smoke gate aborts: no promotion, blue stays live, non-zero exit', () => {
    const c = cluster();
    expect(c.release('first-release', '--tag', '1.0.0').code).toBe(0);
    c.change((s) => {
      s.scenario = { gate: 'fail' };
    });
    c.clearLog();

    const result = c.release('release', '--tag', '1.1.0');

    expect(result.code).not.toBe(0);
    expect(c.commands()).toContain('apply -f - -n az-shop');
    expect(c.commands().filter((cmd) => cmd.startsWith('argo rollouts promote'))).toEqual([]);
    expect(result.stderr).toContain('Metric "smoke" assessed Failed');
    expect(result.stderr).toContain('Traffic and processors are unchanged: blue is live.');
    expect(c.liveColour()).toBe('blue');
  });

  it('a failed processor handover after promotion exits non-zero and says traffic went back', () => {
    const c = cluster();
    expect(c.release('first-release', '--tag', '1.0.0').code).toBe(0);
    c.change((s) => {
      s.scenario = { handover: 'fail' };
    });

    const result = c.release('release', '--tag', '1.1.0');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Metric "processor-handover" assessed Failed');
    expect(result.stderr).toContain('traffic went back to blue');
    expect(c.liveColour()).toBe('blue');
  });

  it('release without a Rollout says to run first-release and applies nothing', () => {
    const c = cluster();

    const result = c.release('release', '--tag', '1.1.0');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('run first-release');
    expect(c.commands()).toEqual(['get rollout web -o json -n az-shop']);
    expect(c.renders()).toEqual([]);
  });

  it('a failed kubectl read (Unauthorized) is an error, never taken as a first release', () => {
    const c = cluster();
    c.change((s) => {
      s.fail = { stderr: 'error: You must be logged in to the server (Unauthorized)', code: 1 };
    });

    for (const command of ['release', 'first-release']) {
      const result = c.release(command, '--tag', '1.1.0');

      expect(result.code, command).not.toBe(0);
      expect(result.stderr, command).toContain('(Unauthorized)');
    }
    expect(c.commands().every((cmd) => cmd === 'get rollout web -o json -n az-shop')).toBe(true);
    expect(c.renders()).toEqual([]);
  });

  it('rollback re-releases the previous colour with the images it runs, passes the gate, then promotes it', () => {
    const c = greenLiveAfterTwoReleases();

    const result = c.release('rollback');

    expect(result.code, result.stderr).toBe(0);
    // Rendered again as blue, with the tag and digest its pods run: the Rollout's analyses name blue.
    expect(c.renders()).toEqual([['--colour', 'blue', '--tag', '1.0.0', '--digest-web', DIGEST]]);
    const commands = c.commands();
    expect(commands).not.toContain('argo rollouts undo web -n az-shop');
    expect(commands.indexOf('argo rollouts promote web -n az-shop')).toBeGreaterThan(
      commands.indexOf('apply -f - -n az-shop'),
    );
    expect(c.liveColour()).toBe('blue');
  });

  it('rollback is refused once the previous colour is retired: re-release the previous tag instead', () => {
    const c = greenLiveAfterTwoReleases();
    expect(c.release('retire').code).toBe(0);
    expect(
      c
        .state()
        .deployments.map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['factory-green', 'ordering-green']);
    c.clearLog();

    const result = c.release('rollback');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('factory-blue is not running');
    expect(result.stderr).toContain('Re-release the previous tag instead');
    expect(c.commands().some((cmd) => cmd.startsWith('argo rollouts'))).toBe(false);
  });

  it("rollback is refused once web's previous ReplicaSet has scaled down", () => {
    const c = greenLiveAfterTwoReleases();
    c.change((s) => {
      for (const rs of s.replicaSets)
        if (rs.spec.template.metadata.labels['az-shop/colour'] === 'blue') rs.status.readyReplicas = 0;
    });

    const result = c.release('rollback');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("web's blue ReplicaSet has no ready pods");
    expect(c.commands().some((cmd) => cmd.startsWith('apply'))).toBe(false);
  });

  it('retire deletes the non-live colour by label and refuses the live colour', () => {
    const c = greenLiveAfterTwoReleases();

    const refused = c.release('retire', '--colour', 'green');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('green is live: refusing to retire it');
    expect(c.commands().some((cmd) => cmd.startsWith('delete'))).toBe(false);

    const retired = c.release('retire');
    expect(retired.code, retired.stderr).toBe(0);
    expect(c.commands().filter((cmd) => cmd.startsWith('delete'))).toEqual([
      'delete deployments,services,scaledobjects,triggerauthentications,poddisruptionbudgets -l az-shop/colour=blue -n az-shop',
    ]);
    expect(retired.stdout).toContain('deployment.apps "factory-blue" deleted');
  });

  it('status names the live and preview colours, the phase and the processors per colour', () => {
    const c = greenLiveAfterTwoReleases();

    const result = c.release('status');

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/live colour: +green/);
    expect(result.stdout).toMatch(/preview colour: +none/);
    expect(result.stdout).toMatch(/rollout phase: +Healthy/);
    expect(result.stdout).toContain('factory-blue 2/2 ready');
    expect(result.stdout).toContain('ordering-green 2/2 ready');
  });
});
