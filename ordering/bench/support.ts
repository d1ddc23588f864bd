/** What ordering's benchmarks share: the dev Mongo server in its own process, command counts, percentiles. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FULFILMENTS } from '@az-shop/common';
import type { Db, MongoClient } from 'mongodb';

/** The dev Mongo server in a process of its own (its CPU is not the services'), or MONGO_TEST_URI. */
export async function startMongo(): Promise<{ uri: string; child?: ChildProcess }> {
  if (process.env.MONGO_TEST_URI) return { uri: process.env.MONGO_TEST_URI };
  const script = fileURLToPath(new URL('./mongo-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const uri = await new Promise<string>((resolve) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) resolve(line.trim());
    });
  });
  return { uri, child };
}

/** Commands executed so far, by name (serverStatus `metrics.commands`, as mongod reports them). */
export async function commandCounts(client: MongoClient): Promise<Map<string, number>> {
  const status = await client.db('admin').command({ serverStatus: 1 });
  const commands = (status.metrics?.commands ?? {}) as Record<string, { total?: unknown }>;
  return new Map(Object.entries(commands).map(([name, c]) => [name, Number(c.total ?? 0)]));
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Orders asked about per poll: an `_id` lookup each, however many are Reserved already. */
const ASKED_PER_POLL = 500;

/**
 * Until the fulfilment of every order in `orderIds` (a fulfilment's `_id` is its order's) is Reserved.
 * It asks by `_id` after the ones not yet seen: counting every Reserved fulfilment, as the benches
 * polled before, made the dev server examine all of them at every poll: 5-10 % of its work in a
 * burst, taken from the core the service's own commands need.
 */
export async function untilReserved(db: Db, orderIds: Iterable<string>, pollMs = 50): Promise<void> {
  const pending = new Set(orderIds);
  const fulfilments = db.collection<{ _id: string }>(FULFILMENTS);
  while (pending.size > 0) {
    const asked = [...pending].slice(0, ASKED_PER_POLL);
    const reserved = await fulfilments
      .find({ _id: { $in: asked }, stage: 'Reserved' }, { projection: { _id: 1 } })
      .toArray();
    for (const { _id } of reserved) pending.delete(_id);
    if (reserved.length < asked.length) await sleep(pollMs);
  }
}
