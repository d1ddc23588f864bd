import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort, killed, startServerProcess } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dbPath = mkdtempSync(join(tmpdir(), 'repro-'));
const port = await freePort();
let server = await startServerProcess(port, dbPath);
const client = new MongoClient(server.uri, {
  serverSelectionTimeoutMS: 15_000,
  ...(process.env.POLL ? { serverMonitoringMode: 'poll' as const } : {}),
});
const tStart = Date.now();
for (const name of [
  'serverHeartbeatStarted',
  'serverHeartbeatFailed',
  'serverHeartbeatSucceeded',
  'serverDescriptionChanged',
] as const) {
  client.on(name, (e: unknown) => {
    const ev = e as { failure?: Error; newDescription?: { type?: string }; awaited?: boolean };
    if (process.env.SDAM)
      console.log(
        Date.now() - tStart,
        name,
        ev.failure?.message ?? '',
        ev.newDescription?.type ?? '',
        ev.awaited ?? '',
      );
  });
}
await client.connect();
const coll = client.db('t').collection('x');
const mode = process.argv[2] ?? 'stream';
let running = true;
const stream = coll.watch([], { fullDocument: 'updateLookup', maxAwaitTimeMS: 1000 });
const reader = mode.includes('stream')
  ? (async () => {
      while (running) await stream.next().catch(() => sleep(50));
    })()
  : Promise.resolve();
const writers = Array.from({ length: mode.includes('write') ? 4 : 0 }, async () => {
  while (running) await coll.insertOne({ a: 1 }).catch(() => sleep(20));
});
await sleep(500);
server.child.kill((process.env.SIG ?? 'SIGTERM') as NodeJS.Signals);
await killed(server.child);
server = await startServerProcess(port, dbPath);
console.log(Date.now() - tStart, 'server restarted');
const t0 = Date.now();
await client
  .db('t')
  .collection('y')
  .insertOne({ b: 1 })
  .then(
    () => console.log(`${mode}: recovered after ${Date.now() - t0} ms`),
    (e) => console.log(`${mode}: FAILED after ${Date.now() - t0} ms: ${e.message}`),
  );
running = false;
await stream.close().catch(() => undefined);
await Promise.all([reader, ...writers]);
await client.close();
server.child.kill('SIGTERM');
