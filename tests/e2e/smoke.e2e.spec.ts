import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { e2eDir, readE2eEnv, root } from './stack';

// The smoke suite (tests/smoke, the gate before a release takes traffic) run as a release runs it:
// its own Playwright process given BASE_URL and SMOKE_* only, here pointed at the e2e stack.
const env = readE2eEnv();

interface SmokeRun {
  code: number | null;
  output: string;
  /** Test title -> its outcome in Playwright's JSON report ('expected', 'unexpected', …). */
  outcomes: Map<string, string>;
}

interface JsonSuite {
  specs?: { title: string; tests: { status: string }[] }[];
  suites?: JsonSuite[];
}

function outcomes(suites: JsonSuite[], into = new Map<string, string>()): Map<string, string> {
  for (const suite of suites) {
    for (const spec of suite.specs ?? []) into.set(spec.title, spec.tests[0]?.status ?? 'missing');
    outcomes(suite.suites ?? [], into);
  }
  return into;
}

let runs = 0;
function runSmoke(vars: Record<string, string>, extraArgs: string[] = []): Promise<SmokeRun> {
  const dir = join(e2eDir, `smoke-${++runs}`);
  mkdirSync(dir, { recursive: true });
  const report = join(dir, 'report.json');
  // Only what a release's smoke Job gets: none of this worker's Playwright variables.
  const childEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TEST_|PW_|PLAYWRIGHT_)/.test(name)),
  );
  const child = spawn(
    'npx',
    ['playwright', 'test', '-c', 'playwright.smoke.config.ts', '--reporter=list,json', ...extraArgs],
    {
      cwd: root,
      env: {
        ...childEnv,
        ...vars,
        SMOKE_OUTPUT_DIR: join(dir, 'results'),
        PLAYWRIGHT_JSON_OUTPUT_NAME: report,
      },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      let parsed = new Map<string, string>();
      try {
        parsed = outcomes((JSON.parse(readFileSync(report, 'utf8')) as { suites: JsonSuite[] }).suites);
      } catch {
        // No report (the config refused to load): the exit code and output say why.
      }
      resolve({ code, output, outcomes: parsed });
    });
  });
}

const healthUrls = [env.WEB_PORT, env.FACTORY_PORT, env.ORDERING_PORT]
  .map((port) => `http://127.0.0.1:${port}/readyz`)
  .join(',');
const account = { SMOKE_USER: 'shopper@example.com', SMOKE_PASSWORD: 'shopper-password' }; // dev-only

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

test.describe.configure({ timeout: 180_000 });

test('the smoke suite passes against the running stack', async () => {
  const run = await runSmoke({ BASE_URL: env.WEB_BASE_URL!, SMOKE_HEALTH_URLS: healthUrls, ...account });
  expect(run.code, run.output).toBe(0);
  // Every check ran and passed: none skipped, none missing.
  expect([...run.outcomes.values()], run.output).toHaveLength(5);
  for (const [title, outcome] of run.outcomes) expect(outcome, title).toBe('expected');
});

test('the smoke suite fails when web is down', async () => {
  // A port that was free a moment ago: nothing answers there.
  const closed = createServer();
  const port = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const run = await runSmoke({
    BASE_URL: `http://127.0.0.1:${port}`,
    SMOKE_HEALTH_URLS: healthUrls,
    ...account,
  });
  expect(run.code, run.output).not.toBe(0);
  for (const [title, outcome] of run.outcomes)
    expect(outcome, title).toBe(title.startsWith('health') ? 'expected' : 'unexpected');
});

test('the smoke suite fails when one service is not ready', async () => {
  // Answers like a service whose readiness check fails (common/src/http/health-plugin.ts).
  const notReady = createServer((_request, response) => {
    response.writeHead(503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'NOT_READY', message: 'Not ready: mongo (timed out)' }));
  });
  const port = await listen(notReady);
  try {
    const run = await runSmoke(
      {
        BASE_URL: env.WEB_BASE_URL!,
        SMOKE_HEALTH_URLS: `${healthUrls},http://127.0.0.1:${port}/readyz`,
        ...account,
      },
      ['--grep', 'health'],
    );
    expect(run.code, run.output).not.toBe(0);
    expect(run.outcomes.get('health: every service answers ready'), run.output).toBe('unexpected');
    expect(run.output).toContain(`http://127.0.0.1:${port}/readyz: HTTP 503`);
  } finally {
    await new Promise((resolve) => notReady.close(resolve));
  }
});

test('the smoke suite refuses to start without BASE_URL', async () => {
  const run = await runSmoke({ BASE_URL: '', SMOKE_HEALTH_URLS: healthUrls, ...account });
  expect(run.code).not.toBe(0);
  expect(run.output).toContain('BASE_URL is required');
});
