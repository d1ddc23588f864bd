// The rules the GitHub Actions workflows (.github/workflows) must keep, as functions returning one
// line per broken rule, so the unit test can show both that the real files keep them and that a
// file breaking one is caught.
import { parse } from 'yaml';

type Dict = Record<string, unknown>;

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Dict;
  env?: Dict;
}

export interface Job {
  uses?: string;
  needs?: string | string[];
  environment?: string | { name?: string };
  permissions?: Dict | string;
  steps?: Step[];
  container?: unknown;
}

export interface Workflow {
  on?: Dict;
  permissions?: Dict | string;
  jobs: Record<string, Job>;
}

export function parseWorkflow(text: string): Workflow {
  const workflow = parse(text) as Workflow | null;
  if (!workflow || typeof workflow !== 'object' || !workflow.jobs) throw new Error('not a workflow: no jobs');
  return workflow;
}

const isAzureLogin = (step: Step) => /^azure\/login@/i.test(step.uses ?? '');
const needsOf = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);
const environmentOf = (job: Job) =>
  typeof job.environment === 'string' ? job.environment : job.environment?.name;
const grantsIdToken = (permissions: Job['permissions']) =>
  permissions === 'write-all' || (typeof permissions === 'object' && permissions?.['id-token'] === 'write');

/**
 * OIDC only where it is used: no workflow-wide id-token, and a job may write id-token exactly when
 * it logs in to Azure. Azure login takes its ids from repository variables, never a password or
 * client secret (no `creds`, no `client-secret`, no secret named like a password anywhere).
 */
export function azureLoginProblems(workflow: Workflow, text: string): string[] {
  const problems: string[] = [];
  if (grantsIdToken(workflow.permissions)) problems.push('id-token: write is granted to the whole workflow');
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const logsIn = (job.steps ?? []).some(isAzureLogin);
    if (grantsIdToken(job.permissions) && !logsIn)
      problems.push(`${id}: id-token: write without an Azure login`);
    if (logsIn && !grantsIdToken(job.permissions))
      problems.push(`${id}: logs in to Azure without id-token: write`);
    for (const step of (job.steps ?? []).filter(isAzureLogin)) {
      const inputs = step.with ?? {};
      for (const forbidden of ['creds', 'client-secret', 'password'])
        if (forbidden in inputs) problems.push(`${id}: azure/login is given ${forbidden}`);
      for (const key of ['client-id', 'tenant-id', 'subscription-id'])
        if (!/^\$\{\{\s*vars\.[A-Z_]+\s*\}\}$/.test(String(inputs[key] ?? '')))
          problems.push(`${id}: azure/login ${key} must come from a repository variable (vars.*)`);
    }
  }
  for (const match of text.matchAll(/secrets\.([A-Za-z0-9_]+)/g))
    if (/PASSWORD|CLIENT_SECRET|CREDENTIALS|AZURE/i.test(match[1] ?? ''))
      problems.push(`uses secrets.${match[1]}: Azure access goes through OIDC federation only`);
  return problems;
}

/** Every third-party action is pinned by a full commit SHA with its version in a comment. */
export function pinningProblems(text: string): string[] {
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*-?\s*uses:\s*([^\s#]+)(\s*#\s*(\S+))?/.exec(line);
    if (!match?.[1] || match[1].startsWith('./')) continue;
    if (!/@[0-9a-f]{40}$/.test(match[1])) problems.push(`${match[1]} is not pinned by a full commit SHA`);
    else if (!/^v\d/.test(match[3] ?? '')) problems.push(`${match[1]} has no "# v…" version comment`);
  }
  return problems;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A program a script downloads (`curl -o FILE`) runs only once that script has checked it: its signed
 * provenance (`slsa-verifier verify-artifact FILE`) or a pinned checksum (`sha256sum --check`) comes
 * before it is made executable (`chmod +x`, `install -m 07xx`).
 */
export function downloadProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs))
    for (const step of job.steps ?? []) {
      const script = step.run ?? '';
      for (const match of script.matchAll(/\bcurl\b[^\n]*?\s-[a-zA-Z]*o\s+("?)([^\s"]+)\1/g)) {
        const file = escapeRegExp(match[2] ?? '');
        const executable = new RegExp(`(chmod\\s+\\+x|install\\s+-m\\s+0?7\\d\\d)\\s+"?${file}`).exec(script);
        if (!executable) continue;
        const checked = new RegExp(
          `slsa-verifier\\s+verify-artifact\\s+"?${file}|sha256sum\\s+(-c|--check)`,
        ).exec(script);
        if (!checked || checked.index > executable.index)
          problems.push(
            `${id}: step "${step.name ?? 'run'}" runs ${match[2]} without checking what it downloaded`,
          );
      }
    }
  return problems;
}

/** Workflow inputs and event fields reach scripts through env, never pasted into `run:` (script injection). */
export function injectionProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs))
    for (const step of job.steps ?? [])
      if (/\$\{\{\s*(inputs\.|github\.event\.|github\.head_ref)/.test(step.run ?? ''))
        problems.push(
          `${id}: step "${step.name ?? step.run?.split('\n')[0]}" pastes an input into its script`,
        );
  return problems;
}

export function ciProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  const on = workflow.on ?? {};
  if (!('pull_request' in on)) problems.push('CI does not run on pull_request');
  const push = on.push as { branches?: string[] } | undefined;
  if (!push?.branches?.includes('main')) problems.push('CI does not run on push to main');
  if (!('workflow_call' in on)) problems.push('CI cannot be called by the release workflow (workflow_call)');
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
  const runs = steps.map((step) => step.run ?? '');
  if (!runs.some((run) => /(^|\n|&&\s*)npm test\s*($|\n)/.test(run)))
    problems.push('no step runs `npm test`');
  if (!runs.some((run) => /\bnpm ci\b/.test(run))) problems.push('no step runs `npm ci`');
  if (!runs.some((run) => /apt-get install\b[^\n]*\bchromium\b/.test(run)))
    problems.push('no step installs chromium with apt-get');
  const node = steps.find((step) => /^actions\/setup-node@/.test(step.uses ?? ''));
  if (String(node?.with?.['node-version'] ?? '') !== '22')
    problems.push('setup-node does not install Node 22');
  if (!steps.some((step) => /^actions\/checkout@/.test(step.uses ?? ''))) problems.push('no checkout');
  return problems;
}

export function releaseProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  const on = workflow.on ?? {};
  const tags = (on.push as { tags?: string[] } | undefined)?.tags ?? [];
  if (!tags.includes('v*')) problems.push('release does not run on pushed v* tags');
  if (!('workflow_dispatch' in on)) problems.push('release cannot be started by hand (workflow_dispatch)');

  const jobs = Object.entries(workflow.jobs);
  const tests = jobs.filter(([, job]) => job.uses === './.github/workflows/ci.yml').map(([id]) => id);
  if (tests.length === 0) problems.push('no job runs the tests (ci.yml)');
  const releasing = jobs.filter(([, job]) =>
    (job.steps ?? []).some((step) => /\bdeploy:release\b|workflows\/deploy\/release\./.test(step.run ?? '')),
  );
  if (releasing.length === 0) problems.push('no job runs the release script');
  for (const [id, job] of releasing) {
    if (environmentOf(job) !== 'production')
      problems.push(`${id}: the release job is not in environment production`);
    if (!needsOf(job).some((need) => tests.includes(need)))
      problems.push(`${id}: the release job does not need the tests`);
    const script = (job.steps ?? []).map((step) => step.run ?? '').join('\n');
    for (const flag of ['--tag', '--digest-web', '--digest-factory', '--digest-ordering', '--digest-smoke'])
      if (!script.includes(flag)) problems.push(`${id}: the release script is not given ${flag}`);
    if (!/az aks get-credentials/.test(script) || !/kubelogin/.test(script))
      problems.push(`${id}: no AKS credentials through kubelogin`);
  }
  const builds = jobs.filter(([, job]) =>
    (job.steps ?? []).some((step) => /az acr build/.test(step.run ?? '')),
  );
  if (builds.length === 0) problems.push('no job builds the images with az acr build');
  for (const [id, job] of builds) {
    const script = (job.steps ?? []).map((step) => step.run ?? '').join('\n');
    for (const image of ['az-shop-$service', 'az-shop-smoke'])
      if (!script.includes(image)) problems.push(`${id}: does not build ${image}`);
    if (!/for service in web factory ordering\b/.test(script))
      problems.push(`${id}: does not build web, factory and ordering`);
  }
  return problems;
}
