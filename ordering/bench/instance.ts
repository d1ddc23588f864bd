/**
 * One ordering instance as production runs it: the built service (`ordering/dist/main.js`, loaded
 * with its `telemetry.js` as pm2 and the containers do) in a process of its own, configured only by
 * its environment. Its `/metrics` (processor counters) are read over HTTP, its CPU time from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processCpuMs } from '@az-shop/common/testing';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const started = new Set<ChildProcess>();

/** SIGKILLs every instance still running (a benchmark that failed half-way leaves none behind). */
export function killInstances(): void {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface OrderingInstance {
  child: ChildProcess;
  /** The main port, which serves /metrics when no INTERNAL_PORT is set. */
  address: string;
  cpuMs(): number;
  /** Its warnings and errors so far, counted by message (lease lapses under load show here). */
  warnings: Map<string, number>;
  /** A processor's `processor_events_received_total`: the events its stream brought, handled or not. */
  received(processor: string): Promise<number>;
}

/** Starts `ordering/dist/main.js` against `mongoDb` (a connection string naming the database). */
export function startBuiltOrdering(mongoDb: string): Promise<OrderingInstance> {
  const child = spawn(process.execPath, ['--import', `${dist}telemetry.js`, `${dist}main.js`], {
    // Only what the service reads, so nothing of the caller's environment (or an .env_local) changes it.
    env: {
      PATH: process.env.PATH,
      ENV_FILE: '/dev/null',
      NODE_ENV: 'test', // JSON log lines, as in production (which would also ask for an INTERNAL_PORT)
      MONGO_DB: mongoDb,
      MONGO_FLAVOUR: 'mongo',
      ORDERING_PORT: '0',
      LOG_LEVEL: 'info',
      SERVICE: 'ordering',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.add(child);
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const ready = /"address":"(http:\/\/[^"]+)"[^\n]*"msg":"ordering ready"/.exec(text);
      if (!ready) return;
      // Keep reading its log (a full pipe would block it), counting what it warns about.
      const warnings = new Map<string, number>();
      text = '';
      child.stdout?.off('data', onData);
      child.stdout?.on('data', (more: Buffer) => {
        const lines = (text + more.toString()).split('\n');
        text = lines.pop() ?? '';
        for (const line of lines) {
          const warned = /"level":(4|5|6)0,.*"msg":"([^"]*)"/.exec(line);
          if (warned) warnings.set(warned[2]!, (warnings.get(warned[2]!) ?? 0) + 1);
        }
      });
      const address = ready[1]!;
      resolve({
        child,
        address,
        warnings,
        cpuMs: () => processCpuMs(child.pid),
        received: async (processor) => {
          const body = await (await fetch(`${address}/metrics`)).text();
          return counter(body, 'processor_events_received_total', processor);
        },
      });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`ordering exited early (${code ?? signal})`)));
  });
}

function counter(metrics: string, name: string, processor: string): number {
  // Labels in any order: the registry's default ones (service) come with them.
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.slice(0, l.indexOf('}')).includes(`processor="${processor}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}
