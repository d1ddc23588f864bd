/**
 * One processor instance for the benchmark, in its own process (as in production). Reports
 * handled counts and write→handler latencies to the parent over IPC.
 * Env: MONGO_URI, DB_NAME, HANDLER ('trivial' | 'update'), LEASES ('1'), OWNER, PRE_IMAGES ('0' = off),
 * BUCKET_FILTER ('0' = every instance reads the whole stream).
 */
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { createProcessor } from '../src/processor';

const env = process.env;
const client = new MongoClient(env.MONGO_URI!, { maxPoolSize: 40 });
await client.connect();
const db = client.db(env.DB_NAME!);
const targets = db.collection<{ _id: string; seq: number }>('targets');
const wallNow = () => performance.timeOrigin + performance.now();

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
let handled = 0;
let latencies: number[] = [];
const processor = createProcessor({
  name: 'bench.processor',
  db,
  collection: 'events',
  logger: pino({ level: 'warn' }),
  concurrency: 64,
  maxBuffered: 2000,
  skipCatchUp: true,
  replayPollMs: 0,
  preImages: env.PRE_IMAGES !== '0',
  serverBucketFilter: env.BUCKET_FILTER !== '0',
  ...(env.LEASES === '1' ? { leases: { ttlMs: 3000, buckets: 16, owner: env.OWNER ?? 'w' } } : {}),
  handle: async (event) => {
    const doc = event.fullDocument as { _id: string; partition_key: string; seq: number; writtenAt: number };
    if (env.HANDLER === 'update') {
      // One conditional update: move the key's target forward only if this event is newer.
      await targets.updateOne({ _id: doc.partition_key, seq: { $lt: doc.seq } }, { $set: { seq: doc.seq } });
    }
    latencies.push(wallNow() - doc.writtenAt);
    handled++;
  },
});
await processor.start();

const report = setInterval(() => {
  process.send?.({
    type: 'progress',
    handled,
    latencies,
    rss: process.memoryUsage().rss,
    cpuMs: cpuMs(),
  });
  latencies = [];
}, 100);

process.on('message', async (message: { type: string }) => {
  if (message.type === 'stop') {
    clearInterval(report);
    await processor.stop();
    process.send?.({
      type: 'progress',
      handled,
      latencies,
      rss: process.memoryUsage().rss,
      cpuMs: cpuMs(),
    });
    await client.close();
    process.exit(0);
  }
});
process.send?.({ type: 'ready' });
