// The CI and release workflows keep their rules (github-actions-policy.ts): OIDC only where Azure is
// used and never a password, pinned actions, downloaded programs checked before they run, the release
// gated by the tests and the production environment. Each rule is also shown to catch a workflow that breaks it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './env-file.mjs';
import {
  azureLoginProblems,
  ciProblems,
  downloadProblems,
  injectionProblems,
  parseWorkflow,
  pinningProblems,
  releaseProblems,
} from './github-actions-policy';

const text = (name: string) => readFileSync(join(root, '.github/workflows', name), 'utf8');
const ciText = text('ci.yml');
const releaseText = text('release.yml');
const ci = parseWorkflow(ciText);
const release = parseWorkflow(releaseText);

describe('.github/workflows/ci.yml', () => {
  it('runs npm ci and npm test on Node 22 with Chromium, on pull requests, pushes to main and calls', () => {
    expect(ciProblems(ci)).toEqual([]);
  });

  it('never touches Azure, so grants no id-token', () => {
    expect(azureLoginProblems(ci, ciText)).toEqual([]);
    expect(ciText).not.toMatch(/id-token/);
  });
});

describe('.github/workflows/release.yml', () => {
  it('builds with az acr build and releases in environment production after the tests', () => {
    expect(releaseProblems(release)).toEqual([]);
    expect(release.jobs.deploy?.needs).toEqual(expect.arrayContaining(['test', 'build']));
  });

  it('logs in to Azure with OIDC federation only, and grants id-token only to the jobs that log in', () => {
    expect(azureLoginProblems(release, releaseText)).toEqual([]);
    const withToken = Object.entries(release.jobs)
      .filter(([, job]) => typeof job.permissions === 'object' && job.permissions['id-token'] === 'write')
      .map(([id]) => id);
    expect(withToken.sort()).toEqual(['build', 'deploy']);
  });
});

describe('both workflows', () => {
  it('pin third-party actions by commit SHA and keep inputs out of scripts', () => {
    for (const [name, source] of [
      ['ci.yml', ciText],
      ['release.yml', releaseText],
    ] as const) {
      expect(pinningProblems(source), name).toEqual([]);
      expect(injectionProblems(parseWorkflow(source)), name).toEqual([]);
      expect(downloadProblems(parseWorkflow(source)), name).toEqual([]);
    }
  });
});

describe('the rules catch a workflow that breaks them', () => {
  // A GitHub expression, `${{ inner }}`, written without a template-looking string literal.
  const gh = (inner: string) => `${'$'}{{ ${inner} }}`;
  const mutate = (source: string, from: string | RegExp, to: string) => {
    const changed = source.replace(from, to);
    expect(changed, `mutation ${String(from)} did not apply`).not.toBe(source);
    return changed;
  };

  it('a client secret or a password secret for Azure login', () => {
    const changed = mutate(
      releaseText,
      `subscription-id: ${gh('vars.AZURE_SUBSCRIPTION_ID')}`,
      `subscription-id: ${gh('vars.AZURE_SUBSCRIPTION_ID')}\n          client-secret: ${gh('secrets.AZURE_CLIENT_SECRET')}`,
    );
    const problems = azureLoginProblems(parseWorkflow(changed), changed);
    expect(problems.join('\n')).toMatch(/client-secret/);
    expect(problems.join('\n')).toMatch(/secrets\.AZURE_CLIENT_SECRET/);
  });

  it('id-token for the whole workflow, or for a job that does not log in', () => {
    const wide = mutate(
      releaseText,
      /^permissions:\n {2}contents: read$/m,
      'permissions:\n  contents: read\n  id-token: write',
    );
    expect(azureLoginProblems(parseWorkflow(wide), wide).join('\n')).toMatch(/whole workflow/);
    const job = mutate(
      ciText,
      /^ {4}timeout-minutes: 60$/m,
      '    timeout-minutes: 60\n    permissions:\n      id-token: write',
    );
    expect(azureLoginProblems(parseWorkflow(job), job).join('\n')).toMatch(/test: id-token: write without/);
  });

  it('a release job outside environment production, or not waiting for the tests', () => {
    const noEnvironment = mutate(releaseText, 'environment: production', 'environment: staging');
    expect(releaseProblems(parseWorkflow(noEnvironment)).join('\n')).toMatch(/not in environment production/);
    const noTests = mutate(releaseText, 'needs: [test, build]', 'needs: [build]');
    expect(releaseProblems(parseWorkflow(noTests)).join('\n')).toMatch(/does not need the tests/);
  });

  it('a downloaded program made executable without its provenance checked first', () => {
    const verify = /\n\s*slsa-verifier verify-artifact[^\n]*\\\n[^\n]*\\\n[^\n]*\n/;
    const unchecked = mutate(releaseText, verify, '\n');
    expect(downloadProblems(parseWorkflow(unchecked))).toEqual([
      'deploy: step "kubectl, kubelogin and the Argo Rollouts plugin" runs kubectl-argo-rollouts-linux-amd64 without checking what it downloaded',
    ]);
    // Checked after it was already installed counts as not checked.
    const late = mutate(
      releaseText,
      /(\n\s*slsa-verifier verify-artifact[^\n]*\\\n[^\n]*\\\n[^\n]*)(\n\s*install -m 0755[^\n]*)/,
      '$2$1',
    );
    expect(downloadProblems(parseWorkflow(late))).toHaveLength(1);
  });

  it('CI without npm test, an action pinned by tag, an input pasted into a script', () => {
    const noTest = mutate(ciText, 'run: npm test', 'run: npm run lint');
    expect(ciProblems(parseWorkflow(noTest))).toContain('no step runs `npm test`');
    const byTag = mutate(ciText, /actions\/checkout@[0-9a-f]{40} # v[\d.]+/, 'actions/checkout@v4');
    expect(pinningProblems(byTag)).toEqual(['actions/checkout@v4 is not pinned by a full commit SHA']);
    const injected = mutate(
      releaseText,
      'npm run deploy:release -- "$COMMAND"',
      `npm run deploy:release -- ${gh('inputs.command')}`,
    );
    expect(injectionProblems(parseWorkflow(injected))).toHaveLength(1);
  });
});
