/**
 * What any server could reach on this machine: the driver against a server that does no work
 * (null-server.ts, in a process of its own like a real server). The emulator's benchmark and
 * ordering's scale-out benchmark read their figures as a fraction of it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { MongoClient } from 'mongodb';

const here = path.dirname(new URL(import.meta.url).pathname);

/** Runs `op` from `concurrency` concurrent loops for `ms`; returns ops/s. */
export async function throughput(
  op: (i: number) => Promise<unknown>,
  concurrency: number,
  ms = 3000,
): Promise<number> {
  let n = 0;
  let next = 0;
  const end = Date.now() + ms;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await op(next++);
        n++;
      }
    }),
  );
  return Math.round(n / ((Date.now() - start) / 1000));
}

/** The do-nothing server in its own process, listening on a free port. */
export async function startNullServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'null-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`null server exited ${c}`)));
  });
  return { child, port };
}

/** Driver round trips per second (`findOne`, `concurrency` in flight) against the do-nothing server. */
export async function driverCeiling(port: number, concurrency: number, ms = 3000): Promise<number> {
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
    maxPoolSize: concurrency,
  });
  await client.connect();
  try {
    const c = client.db('bench').collection('items');
    return await throughput((i) => c.findOne({ sku: `sku-${i}` }), concurrency, ms);
  } finally {
    await client.close();
  }
}
