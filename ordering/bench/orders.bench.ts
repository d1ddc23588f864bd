/**
 * Orders/s from insert to Reserved, with one and with two ordering instances (child processes
 * sharing the work through leases), and the p50/p99 insert→Reserved latency.
 *   npx tsx ordering/bench/orders.bench.ts            (ORDERS=5000 by default, STEADY_RATE=500)
 * Throughput is measured on a burst (insert as fast as possible; latency then is mostly queueing);
 * the steady run offers a fixed rate to one instance and shows the latency of an unsaturated service.
 *   MONGO_TEST_URI=mongodb://… npx tsx ordering/bench/orders.bench.ts   (against a real mongod)
 */
import type { ChildProcess } from 'node:child_process';
import { FULFILMENTS, type FulfilmentDocument, ORDERS } from '@az-shop/common';
import { processCpuMs } from '@az-shop/common/testing';
import { type Db, type Document, MongoClient } from 'mongodb';
import { startOrderingProcess, stopGracefully } from '../test/support/child';
import { order, output, seedProducts } from '../test/support/fixtures';
import { commandCounts, percentile, sleep, startMongo, untilReserved } from './support';

const TOTAL = Number(process.env.ORDERS ?? 5000);
const BATCH = 100;
const PRODUCTS = Array.from({ length: 50 }, (_, i) => `bench-p${i}`);

/** A burst (as fast as the client can insert) or, with `ratePerSecond`, a steady offered load. */
async function run(
  client: MongoClient,
  mongo: { uri: string; child?: ChildProcess },
  instances: number,
  ratePerSecond?: number,
) {
  const uri = mongo.uri;
  const db: Db = client.db(`bench_${instances}_${Date.now()}`);
  await seedProducts(db, PRODUCTS);
  await db
    .collection<Document & { _id: string }>('factory_output')
    .insertMany(PRODUCTS.map((p) => output(`seed-${p}`, p, 1_000_000)));
  const env = {
    MONGO_URI: uri,
    DB_NAME: db.databaseName,
    LEASE_TTL_MS: process.env.LEASE_TTL_MS ?? '15000',
    CONCURRENCY: process.env.CONCURRENCY ?? '64',
    LEASES: process.env.LEASES ?? 'true',
  };
  const children: ChildProcess[] = [];
  for (let i = 0; i < instances; i++) children.push(await startOrderingProcess(env));
  // Let the outputs be applied and the leases settle between the instances.
  const stock = db.collection('stock');
  while ((await stock.countDocuments({ onHand: 1_000_000 })) < PRODUCTS.length) await sleep(100);
  // Every bucket of onOrderPlaced is leased, and shared when there are two instances.
  const leases = db.collection('leases');
  for (;;) {
    const held = await leases
      .find({ processor: 'ordering.onOrderPlaced', kind: 'lease', expiresAt: { $gt: new Date() } })
      .toArray();
    const owners = new Map<string, number>();
    for (const lease of held) if (lease.owner) owners.set(lease.owner, (owners.get(lease.owner) ?? 0) + 1);
    const balanced = [...owners.values()].every((count) => count >= Math.floor(16 / instances));
    if (env.LEASES === 'false' || (held.length === 16 && owners.size === instances && balanced)) break;
    await sleep(100);
  }
  // Warm-up: a few orders through every instance before the clock starts.
  const warm = Array.from({ length: 200 }, (_, i) =>
    order(`warm${i}`, [{ productId: PRODUCTS[i % PRODUCTS.length]!, qty: 1 }]),
  );
  await db.collection(ORDERS).insertMany(warm as never[]);
  await untilReserved(
    db,
    warm.map((o) => o._id),
  );

  const insertedAt = new Map<string, number>();
  const orders = db.collection(ORDERS);
  const commandsBefore = await commandCounts(client);
  const cpuBefore = [mongo.child, ...children].map((c) => processCpuMs(c?.pid));
  const start = Date.now();
  for (let i = 0; i < TOTAL; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, TOTAL - i) }, (_, j) =>
      order(`b${i + j}`, [{ productId: PRODUCTS[(i + j) % PRODUCTS.length]!, qty: 1 }]),
    );
    const now = Date.now();
    for (const o of batch) insertedAt.set(o._id, now);
    await orders.insertMany(batch as never[]);
    if (ratePerSecond) await sleep(Math.max(0, start + ((i + BATCH) / ratePerSecond) * 1000 - Date.now()));
  }
  const fulfilments = db.collection<FulfilmentDocument>(FULFILMENTS);
  await untilReserved(db, insertedAt.keys(), 100);
  const [serverCpu, ...orderingCpu] = [mongo.child, ...children].map(
    (c, i) => processCpuMs(c?.pid) - cpuBefore[i]!,
  );
  const commands = perOrder(commandsBefore, await commandCounts(client));
  const latencies: number[] = [];
  let last = 0;
  for await (const f of fulfilments.find({ _id: { $not: /^warm/ } }, { projection: { history: 1 } })) {
    const reservedAt = f.history.find((h) => h.stage === 'Reserved')?.at.getTime() ?? Number.NaN;
    last = Math.max(last, reservedAt);
    latencies.push(reservedAt - (insertedAt.get(f._id) ?? Number.NaN));
  }
  latencies.sort((a, b) => a - b);
  for (const child of children) await stopGracefully(child);
  const seconds = (last - start) / 1000;
  return {
    load: ratePerSecond ? `steady ${ratePerSecond}/s` : 'burst',
    instances,
    orders: TOTAL,
    seconds: Number(seconds.toFixed(2)),
    'orders/s': Math.round(TOTAL / seconds),
    'p50 ms': percentile(latencies, 50),
    'p99 ms': percentile(latencies, 99),
    // CPU spent per order by the dev Mongo server and by the ordering instances (all of them).
    'CPU ms/order db': mongo.child ? Number(((serverCpu ?? 0) / TOTAL).toFixed(2)) : '-',
    'CPU ms/order ordering': Number((orderingCpu.reduce((a, b) => a + b, 0) / TOTAL).toFixed(2)),
    'commands/order': commands,
  };
}

/** Round trips per order between two counts, largest first (includes the benchmark's own polling). */
function perOrder(before: Map<string, number>, after: Map<string, number>): string {
  const rows = [...after]
    .map(([name, total]) => [name, (total - (before.get(name) ?? 0)) / TOTAL] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  const sum = rows.reduce((acc, [, n]) => acc + n, 0);
  return `${sum.toFixed(1)} (${rows.map(([name, n]) => `${name} ${n.toFixed(1)}`).join(', ')})`;
}

const mongo = await startMongo();
const client = new MongoClient(mongo.uri);
await client.connect();
try {
  const one = await run(client, mongo, 1);
  const two = await run(client, mongo, 2);
  const steady = await run(client, mongo, 1, Number(process.env.STEADY_RATE ?? 500));
  console.table([one, two, steady]);
  console.log(`speed-up with two instances: ${(two['orders/s'] / one['orders/s']).toFixed(2)}×`);
} finally {
  await client.close();
  mongo.child?.kill('SIGTERM');
}
