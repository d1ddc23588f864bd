/**
 * Change-stream processor benchmark: write→handler latency (p50/p99) at a steady rate, and
 * sustained throughput under a burst, with 1 and 2 instances, a trivial handler and one doing a
 * conditional update. The dev Mongo server runs as its own Node process on the same machine.
 * Then pre-images off vs on (1 instance, trivial handler), for an insert burst (inserts carry no
 * pre-image) and an update burst (each event carries one), in the same run so the ratio is comparable.
 *   cd /work/main && npx tsx common/bench/processor.bench.ts
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { enablePreImages } from '../src/processor';
import { processCpuMs } from '../src/testing';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const BURST = Number(process.env.BENCH_BURST ?? 20_000);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 5);
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 1000);
const KEYS = 500;
const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Progress {
  type: 'progress';
  handled: number;
  latencies: number[];
  rss: number;
  cpuMs: number;
}

async function startServer(): Promise<{ uri: string; child: ChildProcess }> {
  const port = 27100 + Math.floor(Math.random() * 800);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'emulators/mongo/src/cli.ts'), '--port', String(port), '--inMemory'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const uri = `mongodb://127.0.0.1:${port}/?replicaSet=rs0`;
  for (let i = 0; i < 200; i++) {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      await client.close();
      return { uri, child };
    } catch {
      await client.close().catch(() => undefined);
      await sleep(100);
    }
  }
  throw new Error('dev Mongo server did not start');
}

function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    return (
      Number(
        execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
          .toString()
          .trim(),
      ) * 1024
    );
  } catch {
    return 0;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function scenario(
  uri: string,
  serverPid: number | undefined,
  instances: 1 | 2,
  handler: 'trivial' | 'update',
  run: number,
  options: { preImages?: boolean; writes?: 'insert' | 'update'; bucketFilter?: boolean } = {},
) {
  const preImages = options.preImages ?? true;
  const bucketFilter = options.bucketFilter ?? true;
  const writes = options.writes ?? 'insert';
  const dbName = `bench_${run}`;
  const client = new MongoClient(uri, { maxPoolSize: 20 });
  await client.connect();
  const db = client.db(dbName);
  // As a service would at startup: the server keeps pre-images only for collections with the option.
  if (preImages) await enablePreImages(db, 'events');
  const events = db.collection<{ _id: string; partition_key: string; seq: number; writtenAt: number }>(
    'events',
  );
  await db
    .collection<{ _id: string; seq: number }>('targets')
    .insertMany([...Array(KEYS).keys()].map((k) => ({ _id: `k${k}`, seq: -1 })));

  const workers: { child: ChildProcess; last: Progress }[] = [];
  for (let i = 0; i < instances; i++) {
    const child = fork(join(here, 'processor-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        MONGO_URI: uri,
        DB_NAME: dbName,
        HANDLER: handler,
        LEASES: instances > 1 ? '1' : '0',
        OWNER: `w${i}`,
        PRE_IMAGES: preImages ? '1' : '0',
        BUCKET_FILTER: bucketFilter ? '1' : '0',
      },
    });
    const worker = {
      child,
      last: { type: 'progress', handled: 0, latencies: [], rss: 0, cpuMs: 0 } as Progress,
    };
    workers.push(worker);
    await new Promise<void>((resolve) => {
      child.on('message', (message: Progress | { type: 'ready' }) => {
        if (message.type === 'ready') resolve();
        else {
          worker.last.latencies.push(...message.latencies);
          worker.last.handled = message.handled;
          worker.last.rss = message.rss;
          worker.last.cpuMs = message.cpuMs;
        }
      });
    });
  }
  if (instances > 1) {
    // Wait for the buckets to be split between the instances before measuring.
    for (;;) {
      const owners = await db
        .collection('leases')
        .aggregate([
          { $match: { kind: 'lease', owner: { $ne: null } } },
          { $group: { _id: '$owner', n: { $sum: 1 } } },
        ])
        .toArray();
      if (owners.length === instances && owners.every((o) => o.n === 16 / instances)) break;
      await sleep(200);
    }
  }
  await sleep(1500);
  const handled = () => workers.reduce((acc, w) => acc + w.last.handled, 0);
  let seq = 0;
  const doc = () => {
    const i = seq++;
    return { _id: `e${i}`, partition_key: `k${i % KEYS}`, seq: i, writtenAt: wallNow() };
  };

  // Paced phase: latency at a steady rate well under capacity.
  for (const w of workers) w.last.latencies = [];
  const pacedTotal = PACED_RATE * PACED_SECONDS;
  const perTick = Math.max(1, Math.round(PACED_RATE / 100));
  const pacedStart = wallNow();
  for (let sent = 0; sent < pacedTotal; sent += perTick) {
    await events.insertMany(Array.from({ length: perTick }, doc), { ordered: true });
    const due = pacedStart + ((sent + perTick) / PACED_RATE) * 1000;
    const wait = due - wallNow();
    if (wait > 0) await sleep(wait);
  }
  while (handled() < seq) await sleep(20);
  await sleep(150);
  const latencies = workers.flatMap((w) => w.last.latencies).sort((a, b) => a - b);

  // Burst phase: sustained throughput, from the first write to the last handled event.
  const before = seq;
  const workersCpu0 = workers.reduce((acc, w) => acc + w.last.cpuMs, 0);
  const serverCpu0 = processCpuMs(serverPid);
  const burstStart = wallNow();
  let writerMs = 0;
  const writer = (async () => {
    for (let i = 0; i < BURST; i += 500) {
      if (writes === 'insert') {
        await events.insertMany(Array.from({ length: 500 }, doc), { ordered: false });
        continue;
      }
      // Updates of the paced phase's documents: each change event carries a pre-image when asked.
      const updates = Array.from({ length: 500 }, (_, j) => ({
        updateOne: {
          filter: { _id: `e${(i + j) % before}` },
          update: { $set: { seq: seq++, writtenAt: wallNow() } },
        },
      }));
      await events.bulkWrite(updates, { ordered: false });
    }
    writerMs = wallNow() - burstStart;
  })();
  let peakRss = 0;
  while (handled() < before + BURST) {
    peakRss = Math.max(peakRss, ...workers.map((w) => w.last.rss));
    await sleep(10);
  }
  const burstMs = wallNow() - burstStart;
  const serverCpu = processCpuMs(serverPid) - serverCpu0;
  const workersCpu = workers.reduce((acc, w) => acc + w.last.cpuMs, 0) - workersCpu0;
  await writer;
  const writeRate = BURST / (writerMs / 1000);

  for (const w of workers) {
    w.child.send({ type: 'stop' });
    await new Promise((resolve) => w.child.once('exit', resolve));
  }
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => undefined);
  await client.close();
  return {
    instances,
    handler,
    preImages,
    writes,
    bucketFilter,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    samples: latencies.length,
    eventsPerSec: BURST / (burstMs / 1000),
    writeRate,
    peakRssMb: peakRss / 2 ** 20,
    serverCpuShare: serverCpu / burstMs,
    workersCpuShare: workersCpu / burstMs,
  };
}

const { uri, child: server } = await startServer();
const rows = [];
let run = 0;
for (const handler of ['trivial', 'update'] as const) {
  for (const instances of [1, 2] as const) {
    rows.push(await scenario(uri, server.pid, instances, handler, run++));
    process.stderr.write(`done: ${instances} instance(s), ${handler}\n`);
  }
}
// Pre-images off vs on, in alternating order (off-on, then on-off...) so drift and position effects on
// a noisy machine hit both alike; BENCH_PRE_IMAGE_ROUNDS (default 2) sets how many rounds.
const preImageRows: Awaited<ReturnType<typeof scenario>>[] = [];
const rounds = Number(process.env.BENCH_PRE_IMAGE_ROUNDS ?? 2);
for (let round = 0; round < rounds; round++) {
  for (const writes of ['insert', 'update'] as const) {
    for (const preImages of round % 2 === 0 ? [false, true] : [true, false]) {
      preImageRows.push(await scenario(uri, server.pid, 1, 'trivial', run++, { preImages, writes }));
      process.stderr.write(`done: pre-images ${preImages ? 'on' : 'off'}, ${writes} burst\n`);
    }
  }
}
// Two instances with the server-side bucket filter off and on (each instance reads the whole stream,
// or only its buckets' events): CPU per event shows what each instance is spared.
const filterRows: Awaited<ReturnType<typeof scenario>>[] = [];
for (const bucketFilter of [false, true]) {
  filterRows.push(await scenario(uri, server.pid, 2, 'trivial', run++, { bucketFilter }));
  process.stderr.write(`done: 2 instances, bucket filter ${bucketFilter ? 'on' : 'off'}\n`);
}
const serverRss = rssOf(server.pid) / 2 ** 20;
server.kill('SIGTERM');

const fmt = (n: number, digits = 1) => n.toFixed(digits);
console.log(
  `\nprocessor benchmark: ${PACED_RATE} ev/s paced for ${PACED_SECONDS}s (latency), burst of ${BURST} (throughput), ${KEYS} keys`,
);
console.log(
  '| instances | handler | p50 ms | p99 ms | events/s (burst) | writer ev/s | peak RSS/instance MB | CPU cores: server / processors |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.instances} | ${r.handler} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.eventsPerSec, 0)} | ${fmt(r.writeRate, 0)} | ${fmt(r.peakRssMb, 0)} | ${fmt(r.serverCpuShare, 2)} / ${fmt(r.workersCpuShare, 2)} |`,
  );
}
for (const handler of ['trivial', 'update']) {
  const one = rows.find((r) => r.handler === handler && r.instances === 1)!;
  const two = rows.find((r) => r.handler === handler && r.instances === 2)!;
  console.log(`scale-out (${handler}): ${fmt(two.eventsPerSec / one.eventsPerSec, 2)}x`);
}
// CPU time per event (µs) varies far less than throughput when other work shares the cores.
const cpuPerEvent = (share: number, eventsPerSec: number) => (share / eventsPerSec) * 1e6;
console.log('\npre-images (1 instance, trivial handler; p50/p99 from the paced inserts)');
console.log(
  '| burst | pre-images | p50 ms | p99 ms | events/s (burst) | peak RSS MB | CPU µs/event: server / processor |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of preImageRows) {
  console.log(
    `| ${r.writes} | ${r.preImages ? 'on' : 'off'} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.eventsPerSec, 0)} | ${fmt(r.peakRssMb, 0)} | ${fmt(cpuPerEvent(r.serverCpuShare, r.eventsPerSec), 0)} / ${fmt(cpuPerEvent(r.workersCpuShare, r.eventsPerSec), 0)} |`,
  );
}
for (const writes of ['insert', 'update']) {
  const mean = (on: boolean, of: (r: (typeof preImageRows)[number]) => number) => {
    const list = preImageRows.filter((r) => r.writes === writes && r.preImages === on);
    return list.reduce((acc, r) => acc + of(r), 0) / list.length;
  };
  const ratio = (of: (r: (typeof preImageRows)[number]) => number) =>
    fmt(mean(true, of) / mean(false, of), 2);
  console.log(
    `pre-images on / off (${writes} burst): throughput ${ratio((r) => r.eventsPerSec)}x, CPU/event server ${ratio((r) => cpuPerEvent(r.serverCpuShare, r.eventsPerSec))}x, processor ${ratio((r) => cpuPerEvent(r.workersCpuShare, r.eventsPerSec))}x`,
  );
}
console.log('\nserver-side bucket filter (2 instances, trivial handler, insert burst)');
console.log('| bucket filter | events/s (burst) | CPU µs/event: server / processors (both) |');
console.log('|---|---|---|');
for (const r of filterRows) {
  console.log(
    `| ${r.bucketFilter ? 'on' : 'off'} | ${fmt(r.eventsPerSec, 0)} | ${fmt(cpuPerEvent(r.serverCpuShare, r.eventsPerSec), 0)} / ${fmt(cpuPerEvent(r.workersCpuShare, r.eventsPerSec), 0)} |`,
  );
}
console.log(`dev Mongo server RSS at the end: ${fmt(serverRss, 0)} MB (a Node process on the same 2 cores)`);
process.exit(0);
