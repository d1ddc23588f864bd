import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` and the inspector write) read here. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Share of the samples the thread was not idle. */
  busy: number;
  packages: { where: string; 'self %': number }[];
  functions: { function: string; where: string; 'self %': number }[];
}

/** node_modules/<package> (scoped too), node's own modules, V8's pseudo-frames, or our source file. */
export function whereOf(url: string): string {
  if (!url) return '(V8/native)';
  if (url.startsWith('node:')) return 'node core';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match?.[1]) return match[1];
  return url.replace(/^file:\/\//, '').replace(/^.*?\/(web|common)\/src\//, '$1/src/');
}

const share = (hits: number, total: number) => Number(((hits / total) * 100).toFixed(1));

function ranked<T>(totals: Map<string, number>, total: number, row: (key: string, self: number) => T): T[] {
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([key, hits]) => row(key, share(hits, total)));
}

/** Self time (samples in the function itself, idle left out) by package and by function, largest first. */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const { callFrame, hitCount = 0 } of profile.nodes) {
    if (!hitCount) continue;
    // Waiting for I/O is not a cost of the request; shares are of the busy samples.
    if (callFrame.functionName === '(idle)') {
      idle += hitCount;
      continue;
    }
    total += hitCount;
    const where = whereOf(callFrame.url);
    byPackage.set(where, (byPackage.get(where) ?? 0) + hitCount);
    const key = `${callFrame.functionName || '(anonymous)'}\t${where}:${callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hitCount);
  }
  return {
    busy: share(total, total + idle),
    packages: ranked(byPackage, total, (where, self) => ({ where, 'self %': self })),
    functions: ranked(byFunction, total, (key, self) => {
      const [name = '', where = ''] = key.split('\t');
      return { function: name, where, 'self %': self };
    }),
  };
}

/**
 * Profiles this thread (the server's, when the load comes from a worker) while `load` runs for each
 * item: writes `<path>.N.cpuprofile` (N from 1) and prints where the busy time went.
 */
export async function profileEach<T extends { name: string }>(
  items: readonly T[],
  path: string,
  load: (item: T) => Promise<unknown>,
): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    for (const [index, item] of items.entries()) {
      await session.post('Profiler.start');
      await load(item);
      const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
      const file = `${path}.${index + 1}.cpuprofile`;
      writeFileSync(file, JSON.stringify(profile));
      const summary = summariseProfile(profile);
      console.log(`\n${item.name}: CPU profile ${file} (${summary.busy}% busy), self time of the busy time`);
      console.table(summary.packages.slice(0, 10));
      console.table(summary.functions.slice(0, 12));
    }
  } finally {
    session.disconnect();
  }
}
