/**
 * What tracing costs: order throughput (checkout → Reserved) and checkout p50/p99 with tracing off
 * and on, side by side in one run. Each run is a process of its own (web and ordering in it, the dev
 * Mongo server beside), alternating off, on, off, on…; the table shows each mode's median run.
 * "On" is the production path: the SDK from the OTEL_* variables, exporting OTLP/HTTP (protobuf) to a
 * collector stand-in on 127.0.0.1 that this process runs and that only counts what it receives.
 * "Store" is every local run's and the e2e stack's (`.env_local.example`: TRACE_STORE=mongo): spans
 * batched into `trace_spans` on the same dev Mongo server the shop uses (register.ts's processor).
 *   npx tsx web/bench/tracing.bench.ts          (ORDERS=300, ROUNDS=2 per mode)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const ORDERS = Number(process.env.ORDERS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const TARGET_OVERHEAD = 0.1;

type Mode = 'off' | 'on' | 'store';
const MODES: Mode[] = ['off', 'on', 'store'];

interface RunResult {
  mode: Mode;
  ordersPerSecond: number;
  checkoutP50: number;
  checkoutP99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** One run, in this process: tracing started (or not) before anything else loads. */
async function run(mode: Mode): Promise<RunResult> {
  process.env.NODE_ENV ??= 'production';
  if (mode === 'on') {
    const { startTelemetry } = await import('../../common/src/telemetry/sdk');
    await startTelemetry({ serviceName: 'bench' });
  }
  if (mode === 'store') {
    const { startTelemetry } = await import('../../common/src/telemetry/sdk');
    const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const { MongoSpanExporter } = await import('../../common/src/telemetry/mongo-span-exporter');
    const { databaseUri } = await import('../test/mongo');
    const uri = databaseUri(process.env.MONGO_TEST_URI ?? '', 'bench_trace_store');
    // As register.ts sets it up for TRACE_STORE=mongo.
    const store = new BatchSpanProcessor(new MongoSpanExporter(uri), { scheduledDelayMillis: 500 });
    await startTelemetry({ serviceName: 'bench', spanProcessors: [store] });
  }
  // Loaded after the SDK started: the instrumentations patch these modules as they load.
  const { systemClock } = await import('@az-shop/common');
  const { silentLogger } = await import('@az-shop/common/testing');
  const { registerOrderingProcessors } = await import('../../ordering/src/processors');
  const { testOrderingConfig, output } = await import('../../ordering/test/support/fixtures');
  const { createTestApp, seedProducts, startStack } = await import('../test/helper');
  const { Shopper } = await import('../test/shopper');
  const { ADDRESS, newKey } = await import('../test/shopper');

  const stack = await startStack();
  const app = await createTestApp(stack, { CHECKOUT_RATE_LIMIT_MAX: '1000000' });
  const { db } = app;
  await seedProducts(db, [{ _id: 'lamp', heading: 'Brass Lamp', amount: 2500 }]);
  const ordering = registerOrderingProcessors(
    {
      db,
      logger: silentLogger,
      clock: systemClock,
      config: { ...testOrderingConfig, ORDERING_TICK_MS: 250 },
    },
    { leases: false },
  );
  await ordering.start();
  await db.collection('factory_output').insertOne(output('bench-stock', 'lamp', 1_000_000) as never);
  while ((await db.collection('stock').countDocuments({ onHand: 1_000_000 })) < 1)
    await new Promise((resolve) => setTimeout(resolve, 50));

  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;
  const sam = await Shopper.signedIn(app.app, 'shopper@example.com');
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { cookie: sam.cookie, 'x-csrf-token': sam.token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < ORDERS; i++) {
    const added = await post('/api/cart/lines', { productId: 'lamp', qty: 1 });
    if (added.status >= 300) throw new Error(`cart: ${added.status} ${await added.text()}`);
    const at = performance.now();
    const placed = await post('/api/checkout', { address: ADDRESS, idempotencyKey: newKey() });
    latencies.push(performance.now() - at);
    if (placed.status !== 201) throw new Error(`checkout: ${placed.status} ${await placed.text()}`);
  }
  const fulfilments = db.collection('fulfilments');
  while ((await fulfilments.countDocuments({ stage: 'Reserved' })) < ORDERS)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;

  await ordering.stop();
  await app.close();
  await stack.stop();
  latencies.sort((a, b) => a - b);
  return {
    mode,
    ordersPerSecond: ORDERS / seconds,
    checkoutP50: percentile(latencies, 50),
    checkoutP99: percentile(latencies, 99),
  };
}

/** A stand-in for the OpenTelemetry Collector: accepts OTLP/HTTP posts and counts their bytes. */
async function startCollectorStandIn(): Promise<{ endpoint: string; bytes: () => number; close(): void }> {
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, bytes: () => bytes, close: () => server.close() };
}

function runChild(mode: Mode, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--run', mode], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      const line = out.split('\n').find((candidate) => candidate.startsWith('{"mode"'));
      if (code === 0 && line) resolve(JSON.parse(line) as RunResult);
      else reject(new Error(`the ${mode} run failed (exit ${code}): ${out.slice(-500)}`));
    });
  });
}

async function main(): Promise<void> {
  const { startMongoProcess } = await import('./mongo-process');
  const mongo = await startMongoProcess();
  const collector = await startCollectorStandIn();
  const off: NodeJS.ProcessEnv = { ...process.env, OTEL_SDK_DISABLED: 'true' };
  const on: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
  };
  const results: RunResult[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      results.push(await runChild('off', off));
      results.push(await runChild('on', on));
      results.push(await runChild('store', off));
    }
  } finally {
    collector.close();
    mongo?.kill('SIGTERM');
  }
  const of = (mode: Mode) => {
    const runs = results.filter((result) => result.mode === mode);
    return {
      ordersPerSecond: median(runs.map((r) => r.ordersPerSecond)),
      checkoutP50: median(runs.map((r) => r.checkoutP50)),
      checkoutP99: median(runs.map((r) => r.checkoutP99)),
    };
  };
  const [a, b, c] = [of('off'), of('on'), of('store')];
  const throughputCost = 1 - b.ordersPerSecond / a.ordersPerSecond;
  const p99Cost = b.checkoutP99 / a.checkoutP99 - 1;
  console.log(
    `\n${ORDERS} orders per run, ${ROUNDS} runs per mode (median shown); OTLP received: ${collector.bytes()} bytes`,
  );
  console.table({
    'orders/s (checkout → Reserved)': {
      off: round(a.ordersPerSecond),
      on: round(b.ordersPerSecond),
      overhead: `${round(throughputCost * 100)} %`,
      store: round(c.ordersPerSecond),
      'store overhead': `${round((1 - c.ordersPerSecond / a.ordersPerSecond) * 100)} %`,
    },
    'checkout p50 (ms)': {
      off: round(a.checkoutP50, 2),
      on: round(b.checkoutP50, 2),
      overhead: `${round((b.checkoutP50 / a.checkoutP50 - 1) * 100)} %`,
      store: round(c.checkoutP50, 2),
      'store overhead': `${round((c.checkoutP50 / a.checkoutP50 - 1) * 100)} %`,
    },
    'checkout p99 (ms)': {
      off: round(a.checkoutP99, 2),
      on: round(b.checkoutP99, 2),
      overhead: `${round(p99Cost * 100)} %`,
      store: round(c.checkoutP99, 2),
      'store overhead': `${round((c.checkoutP99 / a.checkoutP99 - 1) * 100)} %`,
    },
  });
  const met = throughputCost < TARGET_OVERHEAD && p99Cost < TARGET_OVERHEAD;
  console.log(
    `target: tracing costs under ${TARGET_OVERHEAD * 100} % of throughput and of checkout p99: ${met ? 'met' : 'NOT met'}`,
  );
}

const runAt = process.argv.indexOf('--run');
if (runAt >= 0) {
  const mode = MODES.find((name) => name === process.argv[runAt + 1]) ?? 'off';
  const result = await run(mode);
  console.log(JSON.stringify(result));
  process.exit(0);
} else {
  await main();
}
