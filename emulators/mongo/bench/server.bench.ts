/**
 * Throughput/latency benchmark of the emulator, server in a child process (like pm2 runs it).
 * Run: npx tsx emulators/mongo/bench/server.bench.ts   (prints a table; not a test)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BSON, type Document, ObjectId } from 'bson';
import { build } from 'esbuild';
import { type Collection, MongoClient } from 'mongodb';
import { encodeOpMsg, MessageFramer } from '../src/wire/protocol.js';
import { driverCeiling, startNullServer, throughput } from './ceiling.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-emu-bench-'));
const cli = path.join(work, 'cli.mjs');
const CONCURRENCY = 32;

async function buildCli(): Promise<void> {
  await build({
    entryPoints: [path.join(here, '../src/cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: cli,
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
}

function startServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--logLevel', 'error', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /ready on [\d.]+:(\d+)/.exec(buf);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** A minimal wire client (one request in flight per socket, like a pool connection) to measure the server itself. */
class RawConnection {
  private socket: net.Socket;
  private framer = new MessageFramer();
  private waiting: ((b: Buffer) => void) | null = null;
  private requestId = 1;
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (d) => {
      for (const m of this.framer.push(d)) {
        const w = this.waiting;
        this.waiting = null;
        w?.(m);
      }
    });
  }
  ready(): Promise<void> {
    return new Promise((r) => this.socket.once('connect', () => r()));
  }
  command(body: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(encodeOpMsg(this.requestId++, body));
    });
  }
  close(): void {
    this.socket.destroy();
  }
}

function okReply(buf: Buffer): boolean {
  const doc = BSON.deserialize(buf.subarray(21));
  return doc.ok === 1 && !doc.writeErrors;
}

async function rawThroughput(
  port: number,
  conns: number,
  makeBody: (i: number) => Buffer,
  ms = 3000,
): Promise<number> {
  const pool = Array.from({ length: conns }, () => new RawConnection(port));
  await Promise.all(pool.map((c) => c.ready()));
  let n = 0;
  let next = 0;
  let failed = 0;
  const start = Date.now();
  const end = start + ms;
  await Promise.all(
    pool.map(async (c) => {
      while (Date.now() < end) {
        const reply = await c.command(makeBody(next++));
        if ((n & 1023) === 0 && !okReply(reply)) failed++;
        n++;
      }
    }),
  );
  for (const c of pool) c.close();
  if (failed) throw new Error('raw benchmark command failed');
  return Math.round(n / ((Date.now() - start) / 1000));
}

const body = (d: Document): Buffer => Buffer.from(BSON.serialize(d));

const rows: [string, string][] = [];
const row = (name: string, value: string): void => {
  rows.push([name, value]);
  console.error(`${name}: ${value}`);
};

async function withServer<T>(
  args: string[],
  fn: (client: MongoClient, child: ChildProcess) => Promise<T>,
): Promise<T> {
  const { child, port } = await startServer(args);
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/?replicaSet=rs0`, { maxPoolSize: CONCURRENCY });
  await client.connect();
  try {
    return await fn(client, child);
  } finally {
    await client.close();
    await stopServer(child);
  }
}

async function streamRate(c: Collection, watchers: number, events: number): Promise<number> {
  const streams = Array.from({ length: watchers }, () => c.watch());
  await Promise.all(streams.map((s) => s.tryNext()));
  const start = Date.now();
  const done = Promise.all(
    streams.map(async (s) => {
      for (let i = 0; i < events; i++) await s.next();
    }),
  );
  for (let i = 0; i < events; i += 500) {
    await c.insertMany(Array.from({ length: Math.min(500, events - i) }, (_, k) => ({ i: i + k })));
  }
  await done;
  const secs = (Date.now() - start) / 1000;
  await Promise.all(streams.map((s) => s.close()));
  return Math.round((events * watchers) / secs);
}

async function main(): Promise<void> {
  await buildCli();
  const dbpath = path.join(work, 'data');

  await withServer(['--dbpath', dbpath, '--fsync', 'always'], async (client) => {
    const c = client.db('bench').collection('inserts');
    const rate = await throughput((i) => c.insertOne({ i, payload: 'x'.repeat(100) }), CONCURRENCY);
    row(`insertOne/s (fsync always, group commit, ${CONCURRENCY} concurrent)`, String(rate));
  });
  fs.rmSync(dbpath, { recursive: true, force: true });

  await withServer(['--dbpath', dbpath, '--fsync', 'never'], async (client) => {
    const c = client.db('bench').collection('inserts');
    const rate = await throughput((i) => c.insertOne({ i, payload: 'x'.repeat(100) }), CONCURRENCY);
    row(`insertOne/s (fsync never, ${CONCURRENCY} concurrent)`, String(rate));
  });
  fs.rmSync(dbpath, { recursive: true, force: true });

  await withServer(['--dbpath', dbpath, '--fsync', 'always'], async (client, child) => {
    const c = client.db('bench').collection('items');
    await c.createIndex({ sku: 1 }, { unique: true });
    for (let i = 0; i < 100_000; i += 1000) {
      await c.insertMany(
        Array.from({ length: 1000 }, (_, k) => ({
          sku: `sku-${i + k}`,
          n: i + k,
          name: 'item',
          price: 9.99,
          tags: ['a', 'b'],
        })),
      );
    }
    row('RSS with 100k documents (MB)', String(rssMb(child.pid!)));
    const reads = await throughput((i) => c.findOne({ sku: `sku-${(i * 7919) % 100_000}` }), CONCURRENCY);
    row(`indexed findOne/s (unique index, ${CONCURRENCY} concurrent)`, String(reads));
    const byId = await c
      .find({}, { projection: { _id: 1 } })
      .limit(10_000)
      .toArray();
    const idReads = await throughput((i) => c.findOne({ _id: byId[i % byId.length]!._id }), CONCURRENCY);
    row(`findOne by _id/s (${CONCURRENCY} concurrent)`, String(idReads));
    const updates = await throughput(
      (i) => c.updateOne({ sku: `sku-${(i * 31) % 100_000}` }, { $inc: { n: 1 } }),
      CONCURRENCY,
    );
    row(`updateOne $inc by indexed field/s (fsync always, ${CONCURRENCY} concurrent)`, String(updates));
  });
  fs.rmSync(dbpath, { recursive: true, force: true });

  await withServer(['--dbpath', dbpath, '--fsync', 'always'], async (client) => {
    const c = client.db('bench').collection('events');
    row('change events delivered/s (1 watcher)', String(await streamRate(c, 1, 20_000)));
    row('change events delivered/s (10 watchers)', String(await streamRate(c, 10, 5_000)));

    const lat = client.db('bench').collection('latency');
    const cs = lat.watch();
    await cs.tryNext();
    const samples: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t0 = performance.now();
      const got = cs.next();
      await lat.insertOne({ i });
      await got;
      samples.push(performance.now() - t0);
    }
    await cs.close();
    samples.sort((a, b) => a - b);
    row('insert→event latency p50 (ms, fsync always)', pct(samples, 50).toFixed(2));
    row('insert→event latency p99 (ms, fsync always)', pct(samples, 99).toFixed(2));
  });

  // Server capacity without the driver's client-side cost (the driver saturates a core first on 2 cores).
  for (const fsync of ['always', 'never'] as const) {
    const { child, port } = await startServer(['--dbpath', dbpath, '--fsync', fsync]);
    const payload = 'x'.repeat(100);
    for (const conns of [16, 64]) {
      const rate = await rawThroughput(port, conns, (i) =>
        body({ insert: 'raw', documents: [{ _id: new ObjectId(), i, payload }], $db: 'bench' }),
      );
      row(`raw wire insert/s (fsync ${fsync}, ${conns}-connection pool)`, String(rate));
    }
    await stopServer(child);
    fs.rmSync(dbpath, { recursive: true, force: true });
  }
  {
    const { child, port } = await startServer(['--dbpath', dbpath, '--fsync', 'always']);
    const setup = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`);
    const c = setup.db('bench').collection('items');
    await c.createIndex({ sku: 1 }, { unique: true });
    for (let i = 0; i < 100_000; i += 1000) {
      await c.insertMany(
        Array.from({ length: 1000 }, (_, k) => ({ sku: `sku-${i + k}`, n: i + k, name: 'item' })),
      );
    }
    await setup.close();
    const queries = Array.from({ length: 4096 }, (_, i) =>
      body({
        find: 'items',
        filter: { sku: `sku-${(i * 7919) % 100_000}` },
        limit: 1,
        singleBatch: true,
        $db: 'bench',
      }),
    );
    row(
      'raw wire indexed find/s (16-connection pool)',
      String(await rawThroughput(port, 16, (i) => queries[i & 4095]!)),
    );
    const updates = Array.from({ length: 4096 }, (_, i) =>
      body({
        update: 'items',
        updates: [{ q: { sku: `sku-${(i * 31) % 100_000}` }, u: { $inc: { n: 1 } } }],
        $db: 'bench',
      }),
    );
    for (const conns of [16, 64]) {
      const rate = await rawThroughput(port, conns, (i) => updates[i & 4095]!);
      row(`raw wire update/s (fsync always, ${conns}-connection pool)`, String(rate));
    }
    await stopServer(child);
  }

  await machineCeilings();

  fs.rmSync(work, { recursive: true, force: true });
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(
    `\nmongo-emulator benchmark (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version})`,
  );
  console.log(`${'metric'.padEnd(width)} | value`);
  console.log(`${'-'.repeat(width)}-|-------`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)} | ${v}`);
}

/**
 * What any server could reach here: the driver and the raw client against a server that does no work
 * (null-server.ts, its own process). The emulator's rows above read as a fraction of these.
 */
async function machineCeilings(): Promise<void> {
  const { child, port } = await startNullServer();
  const reads = await driverCeiling(port, CONCURRENCY);
  row(`ceiling: driver findOne/s against a server doing no work (${CONCURRENCY} concurrent)`, String(reads));
  const query = body({ find: 'items', filter: { sku: 'sku-1' }, limit: 1, singleBatch: true, $db: 'bench' });
  const raw = await rawThroughput(port, 16, () => query);
  row('ceiling: raw wire round trips/s against a server doing no work (16-connection pool)', String(raw));
  await stopServer(child);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
