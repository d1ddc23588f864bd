import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Db, MongoClient } from 'mongodb';
import pino from 'pino';

export const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export async function connect(uri: string, dbName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 20_000, maxPoolSize: 20 });
  await client.connect();
  return { client, db: client.db(dbName) };
}

/** Polls `check` until it returns true; fails with `describe()` after `timeoutMs` (a hang guard, not a speed assertion). */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
  describe?: () => Promise<string> | string,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${describe ? await describe() : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a fixture script in a child process (tsx), returning the process. */
export function runFixture(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tag = `[${script}:${child.pid}]`;
  child.stderr?.on('data', (data: Buffer) => {
    if (process.env.TEST_LOG_LEVEL) process.stderr.write(`${tag} ${data}`);
  });
  child.stdout?.on('data', (data: Buffer) => {
    if (process.env.TEST_LOG_LEVEL) process.stderr.write(`${tag} ${data}`);
  });
  return child;
}

export function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

export interface SourceDoc {
  _id: string;
  partition_key: string;
  seq: number;
}

/** Inserts `count` source documents `{ _id: 'e<i>', partition_key: 'k<i % keys>', seq }` in commit order. */
export async function insertEvents(
  db: Db,
  collection: string,
  from: number,
  count: number,
  keys: number,
  batch = 250,
) {
  for (let start = from; start < from + count; start += batch) {
    const docs: SourceDoc[] = [];
    for (let i = start; i < Math.min(from + count, start + batch); i++) {
      docs.push({ _id: `e${String(i).padStart(6, '0')}`, partition_key: `k${i % keys}`, seq: i });
    }
    await db.collection<SourceDoc>(collection).insertMany(docs, { ordered: true });
  }
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The dev Mongo server as its own process (as in development), on `port` with data in `dbPath`. */
export async function startServerProcess(
  port: number,
  dbPath: string,
): Promise<{ uri: string; child: ChildProcess }> {
  const cli = join(fixtures, '..', '..', '..', '..', 'emulators', 'mongo', 'src', 'cli.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--port', String(port), '--dbpath', dbPath, '--logLevel', 'error'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const uri = `mongodb://127.0.0.1:${port}/?replicaSet=rs0`;
  await waitFor(async () => {
    const probe = new MongoClient(uri, { serverSelectionTimeoutMS: 300 });
    try {
      await probe.connect();
      await probe.db('admin').command({ ping: 1 });
      return true;
    } catch {
      return false;
    } finally {
      await probe.close().catch(() => undefined);
    }
  }, 30_000);
  return { uri, child };
}
