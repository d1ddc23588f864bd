import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixtures = {
  ordering: fileURLToPath(new URL('../fixtures/ordering-process.ts', import.meta.url)),
  factory: fileURLToPath(new URL('../../../factory/test/fixtures/factory-process.ts', import.meta.url)),
};
const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Starts the ordering fixture process and resolves once it prints `ready`. */
export function startOrderingProcess(env: Record<string, string>): Promise<ChildProcess> {
  return startServiceProcess('ordering', env);
}

/** Starts a service's fixture process (its processors and timers) and resolves once it prints `ready`. */
export function startServiceProcess(
  service: keyof typeof fixtures,
  env: Record<string, string>,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixtures[service]], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve(child);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${service} process exited early (${code ?? signal})`)),
    );
  });
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** SIGTERM, and SIGKILL after `graceMs` so a stuck process never hangs the test run. */
export function stopGracefully(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
