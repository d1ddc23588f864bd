import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU time of one thread, in µs: in user space and in the kernel (system calls, the network stack). */
export interface ThreadCpu {
  user: number;
  system: number;
}

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux almost everywhere). */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * This process's main thread's CPU time so far, from Linux's /proc (undefined elsewhere). The bench
 * serves from the main thread and loads from a worker, so the process's `cpuUsage()` would count the
 * load generator too; Node 20 has no per-thread figure of its own.
 */
export function mainThreadCpu(): ThreadCpu | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // After the command's name (in parentheses, which may hold spaces): field 3 on; utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const toMicros = (ticks: string | undefined) => (Number(ticks) / ticksPerSecond) * 1e6;
    return { user: toMicros(fields[11]), system: toMicros(fields[12]) };
  } catch {
    return undefined;
  }
}

/** `after - before` per request, or undefined when either reading is missing. */
export function cpuPerRequest(
  before: ThreadCpu | undefined,
  after: ThreadCpu | undefined,
  requests: number,
): ThreadCpu | undefined {
  if (!before || !after || requests <= 0) return undefined;
  return { user: (after.user - before.user) / requests, system: (after.system - before.system) / requests };
}
