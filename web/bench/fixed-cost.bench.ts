import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectMongo } from '@az-shop/common';
import { silentLogger } from '@az-shop/common/testing';
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { profileEach } from './cpu-profile';
import { startMongoProcess } from './mongo-process';
import { type Answer, probe, sameAnswerApp } from './same-answer';

/**
 * What web does for every request whatever it is (issue #18): in one run, a bare Fastify app with no
 * plugins, then web's health route, a cached JSON API route, a 304 on an image and a hashed asset,
 * each as a share of the bare app. The browser's session cookie goes with every web request but the
 * probe's, as a browser sends it. Logs are on at LOG_LEVEL (info, as deployed) into /dev/null.
 * `BENCH_CPU_PROFILE=<path>` then profiles web under the same load, route by route (`<path>.N.cpuprofile`).
 */
process.env.NODE_ENV ??= 'production';
const { buildApp } = await import('../src/app');
const { testConfig, startStack } = await import('../test/helper');
const { databaseUri } = await import('../test/mongo');
const { DEMO_PRODUCTS, seedDemoShop } = await import('../src/demo');
// After NODE_ENV: the test helpers load the app, and with it React's production build.
const { Shopper } = await import('../test/shopper');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PROFILE = process.env.BENCH_CPU_PROFILE;
const PUBLIC_DIR = fileURLToPath(new URL('../dist/public', import.meta.url));
/** Share of the bare app each kind of request must reach (issue #18). */
const TARGETS: Record<string, number> = { health: 0.8, 'JSON API (cached)': 0.6, 'image 304': 0.6 };

interface Route {
  name: string;
  origin: string;
  path: string;
  headers?: Record<string, string>;
  /** The status every answer must have, or the figure measures something else. */
  status: number;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

interface Run {
  result: autocannon.Result;
  /** Busy time of the server's thread (its event loop) per answered request, in µs. */
  serverMicros: number;
}

async function load(route: Route, seconds: number): Promise<Run> {
  const before = performance.eventLoopUtilization();
  const result = await autocannon({
    url: `${route.origin}${route.path}`,
    connections: CONNECTIONS,
    duration: seconds,
    // The load comes from a worker thread: on the main thread it would compete with the server.
    workers: 1,
    headers: route.headers ?? {},
  });
  const { active } = performance.eventLoopUtilization(performance.eventLoopUtilization(), before);
  return { result, serverMicros: (active * 1000) / Math.max(1, result.requests.total) };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** The reference: Fastify itself, no plugins, no hooks, no logger. */
async function bareApp(): Promise<FastifyInstance> {
  const app = Fastify();
  app.get('/healthz', async () => ({ status: 'alive' }));
  return app;
}

const mongo = await startMongoProcess();
const stack = await startStack();
const config = testConfig(stack, databaseUri(stack.mongo.uri, `web_bench_${Date.now()}`), {
  // As deployed: the catalog cache on, logs at info.
  CATALOG_CACHE_SECONDS: '5',
  PAGE_CACHE_SECONDS: '5',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
});
const connection = await connectMongo({ MONGO_DB: config.MONGO_DB, appName: 'az-shop-web-bench' });
const logger = pino(
  { name: 'web', level: config.LOG_LEVEL },
  pino.destination({ dest: '/dev/null', sync: false }),
);
const web = await buildApp({ config, logger, db: connection.db, publicDir: PUBLIC_DIR });
const bare = await bareApp();
let same: FastifyInstance | undefined;
try {
  await web.blobContainerReady;
  await seedDemoShop({ db: connection.db, container: web.blob, logger: silentLogger, warehouse: 'main' });
  const [bareOrigin, origin] = [await listen(bare), await listen(web)];
  const product = DEMO_PRODUCTS[0];
  if (!product) throw new Error('no demo product');
  // A returning visitor: the sealed session cookie holds a cart and a CSRF secret.
  const shopper = await Shopper.anonymous(web);
  const added = await shopper.request('POST', '/api/cart/lines', { productId: product.id, qty: 1 });
  if (added.statusCode !== 200) throw new Error(`adding to the cart answered ${added.statusCode}`);
  const browser = { cookie: shopper.cookie };
  const image = { name: 'image 304', origin, path: `/images/demo/${product.id}.svg`, status: 304 };
  const etag = (await probe(`${image.origin}${image.path}`, browser)).headers.etag;
  if (!etag) throw new Error('the image came without an ETag');
  const stylesheet = web.assets.styles[0];
  if (!stylesheet) throw new Error('no hashed stylesheet: run `npm run build` first');
  const json: Route = {
    name: 'JSON API (cached)',
    origin,
    path: `/api/products/${product.id}`,
    headers: { ...browser, accept: 'application/json' },
    status: 200,
  };
  const image304: Route = { ...image, headers: { ...browser, 'if-none-match': etag } };
  const webRoutes: Route[] = [
    { name: 'health', origin, path: '/healthz', status: 200 },
    json,
    image304,
    { name: 'hashed asset', origin, path: stylesheet, headers: browser, status: 200 },
  ];
  const answers = new Map<Route, Answer>();
  for (const route of webRoutes) {
    const answer = await probe(`${route.origin}${route.path}`, route.headers);
    if (answer.status !== route.status)
      throw new Error(`${route.path} answered ${answer.status}, not ${route.status}`);
    answers.set(route, answer);
  }
  const ceilings = [json, image304];
  same = await sameAnswerApp(new Map(ceilings.map((route) => [route.path, answers.get(route) as Answer])));
  const sameOrigin = await listen(same);
  const routes: Route[] = [
    { name: 'bare Fastify', origin: bareOrigin, path: '/healthz', status: 200 },
    ...webRoutes.flatMap((route) =>
      ceilings.includes(route)
        ? [{ ...route, name: `bare, same answer as ${route.name}`, origin: sameOrigin }, route]
        : [route],
    ),
  ];
  console.log(
    `web fixed-cost bench: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per route, NODE_ENV=${process.env.NODE_ENV}, ` +
      `LOG_LEVEL=${config.LOG_LEVEL}, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(2)}`,
  );
  // Rounds, each loading the bare app and then every web route, so a share compares figures taken
  // seconds apart: on a shared machine the load from elsewhere drifts more than that.
  const rounds = new Map<Route, Run[]>(routes.map((route) => [route, []]));
  for (const route of routes) await load(route, 1); // warm-up: JIT, connection pools, caches
  for (let round = 0; round < ROUNDS; round++) {
    for (const route of routes) rounds.get(route)?.push(await load(route, SECONDS));
  }
  const rate = ({ result }: Run) => result.requests.average;
  const bareRuns = rounds.get(routes[0] as Route) ?? [];
  console.table(
    routes.map((route) => {
      const runs = rounds.get(route) ?? [];
      const shares = runs.map((run, i) => rate(run) / rate(bareRuns[i] as Run));
      const share = median(shares);
      // The same comparison by the server's own work: on a shared machine throughput also depends on
      // how much CPU the load generator and everything else leave the server.
      const costShares = runs.map((run, i) => (bareRuns[i] as Run).serverMicros / run.serverMicros);
      const target = TARGETS[route.name];
      const statuses = new Map<string, number>();
      for (const { result } of runs)
        for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}))
          statuses.set(code, (statuses.get(code) ?? 0) + (count ?? 0));
      return {
        route: route.name,
        path: route.path.length > 40 ? `${route.path.slice(0, 37)}…` : route.path,
        statuses: [...statuses].map(([code, count]) => `${code}×${count}`).join(' '),
        errors: runs.reduce((sum, { result }) => sum + result.errors + result.timeouts, 0),
        'req/s (median)': Math.round(median(runs.map(rate))),
        'p99 ms (median)': median(runs.map(({ result }) => result.latency.p99)),
        '% of bare (median, per round)': `${round(share * 100)}% (${shares.map((value) => round(value * 100, 0)).join(' / ')})`,
        'server µs/req': round(median(runs.map((run) => run.serverMicros))),
        'bare µs ÷ route µs': `${round(median(costShares) * 100)}%`,
        target: target === undefined ? '' : `≥ ${target * 100}% ${share >= target ? 'met' : 'NOT met'}`,
      };
    }),
  );

  // The same load on each of web's routes, profiled in this (the server's) thread: where its time goes.
  if (PROFILE) await profileEach(webRoutes, PROFILE, (route) => load(route, SECONDS));
} finally {
  await Promise.allSettled([web.close(), bare.close(), same?.close()]);
  await connection.db.dropDatabase().catch(() => {});
  await connection.close();
  await stack.stop();
  mongo?.kill('SIGTERM');
}
