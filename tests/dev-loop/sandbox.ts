// A throw-away copy of the checkout where `npm run dev` runs for real: its own sources to edit, its
// own dist/, pm2 daemon (PM2_HOME), ports and data, so the developer's checkout and stack are never
// touched. node_modules entries are links to the checkout's, except the workspaces' own (@az-shop/*),
// which point at the copy's sources as they do in a checkout.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { down } from '../../workflows/stack.mjs';
import { root, testStackEnv, writeE2eEnv } from '../e2e/stack';

/** What the copy leaves out: installed and built files, git, local state (`__*__` data, `.pm2*`). */
const LEFT_OUT = new Set(['node_modules', '.git', 'dist', 'test-results', 'playwright-report', '.env_local']);
const leftOut = (name: string) => LEFT_OUT.has(name) || name.startsWith('__') || name.startsWith('.pm2');

function copyCheckout(to: string): void {
  cpSync(root, to, {
    recursive: true,
    filter: (source) => !leftOut(basename(source)),
  });
  mkdirSync(join(to, 'node_modules'));
  for (const name of readdirSync(join(root, 'node_modules'))) {
    const from = join(root, 'node_modules', name);
    const link = join(to, 'node_modules', name);
    // The workspaces' links are relative (../../web): copied as they are, they point into the copy.
    if (name === '@az-shop') cpSync(from, link, { recursive: true, verbatimSymlinks: true });
    else symlinkSync(from, link);
  }
}

/** A copy of the checkout with its env file written (free ports, its own PM2_HOME), nothing running yet. */
export interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  vars: Record<string, string>;
  /** Reads, edits and writes a file of the copy (path relative to the checkout). */
  edit(file: string, change: (text: string) => string): void;
  /** Runs `npm start` there (node workflows/start.mjs, as npm would) and waits for it to finish. */
  npmStart(): void;
  /** Starts `npm run dev` there (node workflows/dev.mjs) and returns once it watches. */
  startDev(): Promise<DevProcess>;
  /** Stops the watcher and the copy's pm2 daemon, and removes the copy. */
  remove(): Promise<void>;
}

/** The running `npm run dev`. */
export interface DevProcess {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the output, after `from` characters, matches. */
  waitForOutput(pattern: RegExp, opts?: { from?: number; timeoutMs?: number }): Promise<void>;
}

export async function createSandbox(): Promise<Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'az-shop-dev-'));
  copyCheckout(dir);
  const vars = await writeE2eEnv(dir);
  const env = testStackEnv(dir);
  let child: ChildProcess | undefined;

  return {
    dir,
    env,
    vars,
    edit(file, change) {
      const path = join(dir, file);
      writeFileSync(path, change(readFileSync(path, 'utf8')));
    },
    npmStart() {
      const result = spawnSync(process.execPath, [join(dir, 'workflows/start.mjs')], {
        cwd: dir,
        env,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`npm start failed:\n${result.stdout}${result.stderr}`);
    },
    async startDev() {
      const dev = spawn(process.execPath, [join(dir, 'workflows/dev.mjs')], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = dev;
      let output = '';
      dev.stdout.on('data', (chunk) => {
        output += chunk;
      });
      dev.stderr.on('data', (chunk) => {
        output += chunk;
      });
      const process_: DevProcess = {
        output: () => output,
        async waitForOutput(pattern, { from = 0, timeoutMs = 60_000 } = {}) {
          const deadline = Date.now() + timeoutMs;
          while (!pattern.test(output.slice(from))) {
            if (dev.exitCode !== null) throw new Error(`npm run dev exited (${dev.exitCode}):\n${output}`);
            if (Date.now() > deadline)
              throw new Error(`no ${pattern} in npm run dev's output:\n${output.slice(from)}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        },
      };
      await process_.waitForOutput(/Watching .*: a saved file/, { timeoutMs: 240_000 });
      return process_;
    },
    async remove() {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      down({ env });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `url` until its body contains `text` (every 10 ms, so the figure is close); the milliseconds
 * since `since`, a `performance.now()` taken just before the file was written.
 */
export async function servedWithin(
  url: string,
  text: string,
  since: number,
  timeoutMs = 120_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      .then((response) => response.text())
      .catch(() => '');
    if (body.includes(text)) return performance.now() - since;
    if (Date.now() > deadline) throw new Error(`${url} never served "${text}"`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
