/**
 * The live order board under load, against the real app: the dev Mongo server in its own process,
 * Azurite and the dev OIDC provider in-process (as the integration tests start them), the app
 * listening on a free port. BOARDS admin board pages (`GET /api/admin/orders/events`) stay open
 * while a writer changes RATE fulfilments a second straight in the database (as ordering would),
 * for SECONDS. Prints the `change` events delivered per second over all pages and the delay from
 * each write to each page receiving its event (from the moment the write was sent, so the write's
 * own round trip counts too), and checks that every page got every change.
 * Target (issue #12): boards stay live and correct with 50 pages and 50 changes/s. Figures are
 * printed, not asserted.
 *   npm run bench -- boards     (BOARDS=50, RATE=50, BENCH_SECONDS=10)
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { FULFILMENTS, type FulfilmentDocument, type FulfilmentStage } from '@az-shop/common';
import { MongoClient } from 'mongodb';
import { createTestApp, startStack } from '../test/helper';
import { Shopper } from '../test/shopper';
import { startMongoProcess } from './mongo-process';

const BOARDS = Number(process.env.BOARDS ?? 50);
const RATE = Number(process.env.RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ORDERS = 500;
/** How long after the last write late events still count. */
const DRAIN_MS = 3000;

const STAGES: FulfilmentStage[] = ['Placed', 'Reserved', 'Backordered', 'Picking', 'Shipped', 'Delivered'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

function fulfilment(index: number): FulfilmentDocument {
  const placedAt = new Date(Date.now() - index * 1000);
  const id = `o_bench${index}`;
  return {
    _id: id,
    partition_key: 'shopper-0001',
    orderId: id,
    userId: 'shopper-0001',
    warehouse: 'main',
    stage: STAGES[index % STAGES.length] ?? 'Placed',
    lines: [{ productId: 'chair', qty: 1 + (index % 3), held: index % 2 === 0 }],
    shortLines: [],
    total: 4999,
    currency: 'EUR',
    placedAt,
    payBy: new Date(placedAt.getTime() + 15 * 60_000),
    paid: index % 4 === 0,
    refundsDue: [],
    history: [{ stage: 'Placed', at: placedAt }],
    version: 1,
  };
}

/** One open board page: counts its events and the delay of each change it was waiting for. */
interface Board {
  changes: number;
  snapshots: number;
  /** Orders per stage in the last snapshot. */
  counts: Record<string, number>;
  close(): void;
}

function openBoard(
  origin: string,
  cookie: string,
  onChange: (key: string, at: number) => void,
): Promise<Board> {
  return new Promise((resolve, reject) => {
    const board: Board = { changes: 0, snapshots: 0, counts: {}, close: () => req.destroy() };
    const req = request(
      `${origin}/api/admin/orders/events`,
      { agent: false, headers: { accept: 'text/event-stream', cookie } },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`the board stream answered ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            if (block.startsWith('event: change\n')) {
              board.changes++;
              const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as {
                orderId: string;
                card: { version: number };
              };
              onChange(`${data.orderId}:${data.card.version}`, at);
            } else if (block.startsWith('event: board\n')) {
              board.snapshots++;
              const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as {
                columns: { stage: string; total: number }[];
              };
              board.counts = Object.fromEntries(data.columns.map((column) => [column.stage, column.total]));
              if (board.snapshots === 1) resolve(board);
            }
          }
        });
        res.on('error', () => {});
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const mongo = await startMongoProcess();
const stack = await startStack();
const testApp = await createTestApp(stack, { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' });
const writer = new MongoClient(testApp.config.MONGO_DB);
const boards: Board[] = [];
try {
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
  const fulfilments = writer.db().collection<FulfilmentDocument>(FULFILMENTS);
  await fulfilments.insertMany(Array.from({ length: ORDERS }, (_, index) => fulfilment(index)));
  const admin = await Shopper.signedIn(testApp.app, 'admin@example.com');

  /** When each change (`<order>:<version>`) was sent, and the delays of the events it caused. */
  const sentAt = new Map<string, number>();
  const delays: number[] = [];
  let unmatched = 0;
  const onChange = (key: string, at: number) => {
    const sent = sentAt.get(key);
    if (sent === undefined) unmatched++;
    else delays.push(at - sent);
  };
  for (let i = 0; i < BOARDS; i++) boards.push(await openBoard(origin, admin.cookie, onChange));

  console.log(
    `web order board bench: ${BOARDS} board pages, ${RATE} fulfilment changes/s for ${SECONDS} s, ` +
      `${ORDERS} orders, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(2)}, ` +
      `Mongo ${mongo ? 'dev server (own process)' : 'MONGO_TEST_URI'}`,
  );

  const versions = new Map<string, number>();
  const total = RATE * SECONDS;
  const start = performance.now();
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    // On schedule: the i-th write at start + i/RATE s, however long the previous ones took.
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = `o_bench${Math.floor(Math.random() * ORDERS)}`;
    const version = (versions.get(id) ?? 1) + 1;
    versions.set(id, version);
    const stage = STAGES[i % STAGES.length] ?? 'Placed';
    sentAt.set(`${id}:${version}`, performance.now());
    writes.push(
      fulfilments.updateOne(
        { _id: id },
        { $set: { stage, version, paid: i % 2 === 0 }, $push: { history: { stage, at: new Date() } } },
      ),
    );
  }
  await Promise.all(writes);
  const wrote = performance.now() - start;
  const expected = total * BOARDS;
  const deadline = performance.now() + DRAIN_MS;
  while (delays.length < expected && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const lastEvent = performance.now() - start;

  delays.sort((a, b) => a - b);
  const delivered = delays.length;
  const seconds = Math.min(lastEvent, wrote + DRAIN_MS) / 1000;
  console.table([
    {
      'changes written': total,
      'writes/s': round(total / (wrote / 1000)),
      'events expected': expected,
      'events delivered': delivered,
      missing: expected - delivered,
      'events/s': Math.round(delivered / seconds),
      'delay p50 ms': round(percentile(delays, 50), 2),
      'delay p95 ms': round(percentile(delays, 95), 2),
      'delay p99 ms': round(percentile(delays, 99), 2),
      'delay max ms': round(delays.at(-1) ?? Number.NaN, 2),
    },
  ]);
  // Correct, not only live: the last snapshot every page got (one refresh after the last change)
  // shows the counts the database has.
  await new Promise((resolve) => setTimeout(resolve, testApp.config.BOARD_REFRESH_MS + 500));
  const grouped = await fulfilments
    .aggregate<{ _id: string; count: number }>([{ $group: { _id: '$stage', count: { $sum: 1 } } }])
    .toArray();
  const truth = Object.fromEntries(grouped.map((group) => [group._id, group.count]));
  const wrong = boards.filter((board) =>
    STAGES.some((stage) => (board.counts[stage] ?? 0) !== (truth[stage] ?? 0)),
  ).length;
  console.log(`pages whose last board differs from the database's counts: ${wrong} of ${BOARDS}`);
  const snapshots = boards.map((board) => board.snapshots);
  console.log(
    `board snapshots per page: ${Math.min(...snapshots)}–${Math.max(...snapshots)} ` +
      `(one read per BOARD_REFRESH_MS shared by all pages); events of no write: ${unmatched}`,
  );
} finally {
  for (const board of boards) board.close();
  await writer.close();
  await testApp.close();
  await stack.stop();
  mongo?.kill('SIGTERM');
}
