import { Agent, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { silentLogger } from '@az-shop/common/testing';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { profileEach } from './cpu-profile';
import { startMongoProcess } from './mongo-process';
import { probe, sameAnswerApp } from './same-answer';
import { cpuPerRequest, mainThreadCpu, type ThreadCpu } from './thread-cpu';

process.env.NODE_ENV ??= 'production';
// Imported after NODE_ENV is set: react and react-dom choose their build when first loaded (the test
// helpers load the app, so a static import of them would load React's development build).
const { createTestApp, oneWebConfig, startStack } = await import('../test/helper');
const { ADDRESS, newKey, Shopper } = await import('../test/shopper');
const { DEMO_CATEGORIES, DEMO_PRODUCTS, seedDemoShop } = await import('../src/demo');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/**
 * Every route is loaded in this many rounds, each run right after a run of the bare route, its
 * share's reference; a figure is the median of the rounds'. This VM's speed swings within seconds
 * (the bare route served 20,270 to 37,776 requests/s within one run), so one bare figure for the whole
 * run, or one run per route, moved a share by a fifth.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BARE_SECONDS = Number(process.env.BENCH_BARE_SECONDS ?? 2);
// 200: of 50 samples the p99 is the slowest one, a single stall on a shared machine.
/** `BENCH_CPU_PROFILE=<path>`: also profile web under each page's load (`<path>.N.cpuprofile`). */
const PROFILE = process.env.BENCH_CPU_PROFILE;
const TTFB_SAMPLES = Number(process.env.TTFB_SAMPLES ?? 200);
/** Issue #17: catalog pages (shared or personalised) and the inherently personal pages, as shares of bare. */
const TARGETS = {
  catalog: { share: 0.2, p99Ms: 50 },
  personal: { share: 0.1, p99Ms: 100 },
  ttfbMs: 20,
};

interface Route {
  name: string;
  path: string;
  ssr: boolean;
  /** Which throughput target the page has: a catalog page (shared part) or a page of the shopper's own. */
  kind?: keyof Omit<typeof TARGETS, 'ttfbMs'>;
  /** A session cookie to send: a signed-in shopper with a cart. */
  cookie?: string;
  /** Another server than web as deployed (the render reference: web with the page cache off). */
  origin?: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

/** Each status seen and how often, over `results` ("200×51234"), so a 404 page (still SSR) shows. */
function statusSummary(results: autocannon.Result[]): string {
  const counts = new Map<string, number>();
  for (const result of results)
    for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}))
      counts.set(code, (counts.get(code) ?? 0) + (count ?? 0));
  return [...counts].map(([code, count]) => `${code}×${count}`).join(' ');
}

async function load(origin: string, route: Route, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${route.origin ?? origin}${route.path}`,
    connections: CONNECTIONS,
    duration: seconds,
    // The load comes from a worker thread: on the main thread it would compete with the server.
    workers: 1,
    headers: { accept: 'text/html,application/json', ...(route.cookie && { cookie: route.cookie }) },
  });
}

/** One GET on a kept-alive socket: ms to the first body chunk (the shell) and to the end. */
function timeOne(
  agent: Agent,
  url: string,
  cookie?: string,
): Promise<{ status: number; firstByte: number; total: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let firstByte = Number.NaN;
    get(url, { agent, headers: { accept: 'text/html', ...(cookie && { cookie }) } }, (response) => {
      response.on('data', () => {
        if (Number.isNaN(firstByte)) firstByte = performance.now() - start;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, firstByte, total: performance.now() - start }),
      );
      response.on('error', reject);
    }).on('error', reject);
  });
}

async function timeToFirstByte(serverOrigin: string, route: Route) {
  const origin = route.origin ?? serverOrigin;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const firstBytes: number[] = [];
  const totals: number[] = [];
  const statuses = new Set<number>();
  try {
    for (let i = 0; i < 5; i++) await timeOne(agent, `${origin}${route.path}`, route.cookie); // warm-up
    for (let i = 0; i < TTFB_SAMPLES; i++) {
      const sample = await timeOne(agent, `${origin}${route.path}`, route.cookie);
      firstBytes.push(sample.firstByte);
      totals.push(sample.total);
      statuses.add(sample.status);
    }
  } finally {
    agent.destroy();
  }
  firstBytes.sort((a, b) => a - b);
  totals.sort((a, b) => a - b);
  const p99 = percentile(firstBytes, 99);
  return {
    route: route.name,
    path: route.path,
    status: [...statuses].join(' '),
    'first byte p50 ms': round(percentile(firstBytes, 50), 2),
    'first byte p99 ms': round(p99, 2),
    'whole page p50 ms': round(percentile(totals, 50), 2),
    [`target ≤ ${TARGETS.ttfbMs} ms`]: route.ssr ? verdict(p99 <= TARGETS.ttfbMs) : '(reference)',
  };
}

const mongo = await startMongoProcess();
const stack = await startStack();
// As deployed: the catalog, shared-page and cart-count caches on (the test helper turns them off).
const deployed = oneWebConfig(stack, {
  CATALOG_CACHE_SECONDS: '5',
  PAGE_CACHE_SECONDS: '5',
  CART_COUNT_CACHE_SECONDS: '60',
  PERSONAL_PAGE_CACHE_SECONDS: '30',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
});
const testApp = await createTestApp(stack, deployed);
// The same web on the same database with the shared-page cache off: what a React render per
// request costs when no data needs a database round trip (a category page's reads are cached).
// Its personal pages are rendered every time too: what a shopper's first view after a change costs.
const renderingApp = await createTestApp(stack, {
  ...deployed,
  PAGE_CACHE_SECONDS: '0',
  PERSONAL_PAGE_CACHE_SECONDS: '0',
});
let same: FastifyInstance | undefined;
try {
  await seedDemoShop({
    db: testApp.db,
    container: testApp.app.blob,
    logger: silentLogger,
    warehouse: 'main',
  });
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
  await renderingApp.app.listen({ port: 0, host: '127.0.0.1' });
  const renderingOrigin = `http://127.0.0.1:${(renderingApp.app.server.address() as AddressInfo).port}`;
  const category = DEMO_CATEGORIES[0]?._id ?? 'kitchen';
  const product = DEMO_PRODUCTS.find((candidate) => candidate.position === 'hero')?.id ?? 'unknown';
  // The bare route: web's health route through Fastify and web's hooks, doing no work. It is what
  // `/healthz` was when issue #17 was filed; since issue #18 the HTTP server answers a plain
  // `/healthz` before Fastify routes it (any query string still takes the route). That answer is
  // shown beside it: it bounds what any route of web could reach.
  const bare: Route = { name: 'bare JSON route', path: '/healthz?routed', ssr: false };
  const liveness: Route = {
    name: 'liveness answer, before routing (reference)',
    path: '/healthz',
    ssr: false,
  };
  const rendered: Route = {
    name: 'category, rendered (reference)',
    path: `/c/${category}`,
    ssr: false,
    origin: renderingOrigin,
  };
  // A visitor without sign-in or cart, and a signed-in shopper with an order and a cart.
  const shopper = await Shopper.signedIn(testApp.app, 'shopper@example.com');
  const addToCart = async () => {
    const added = await shopper.request('POST', '/api/cart/lines', { productId: product, qty: 1 });
    if (added.statusCode !== 200) throw new Error(`adding to the cart answered ${added.statusCode}`);
  };
  await addToCart();
  const placed = await shopper.request('POST', '/api/checkout', {
    address: ADDRESS,
    idempotencyKey: newKey(),
  });
  if (placed.statusCode !== 201) throw new Error(`checkout answered ${placed.statusCode}`);
  const { orderId } = placed.json() as { orderId: string };
  await addToCart();
  const cookie = shopper.cookie;
  // The ceiling of any page served from memory: the shopper's category page as web sent it, copied
  // by a bare Fastify app (the same bytes on the wire, nothing made per request).
  const categoryPath = `/c/${category}`;
  const categoryPage = await probe(`${origin}${categoryPath}`, { accept: 'text/html', cookie });
  if (categoryPage.status !== 200) throw new Error(`the category page answered ${categoryPage.status}`);
  same = await sameAnswerApp(new Map([[categoryPath, categoryPage]]));
  await same.listen({ port: 0, host: '127.0.0.1' });
  const sameAnswer: Route = {
    name: 'category (shopper), its bytes from a bare app (reference)',
    path: categoryPath,
    ssr: false,
    origin: `http://127.0.0.1:${(same.server.address() as AddressInfo).port}`,
  };
  // A shopper's own page rendered for every view: the first view after each change of its data.
  const renderedPersonal = (name: string, path: string): Route => ({
    name: `${name}, rendered (first view after a change)`,
    path,
    ssr: false,
    origin: renderingOrigin,
    cookie,
  });
  const references = [
    bare,
    liveness,
    sameAnswer,
    rendered,
    renderedPersonal('cart', '/cart'),
    renderedPersonal('an order', `/orders/${orderId}`),
  ];
  const pages: Route[] = [
    { name: 'home', path: '/', ssr: true, kind: 'catalog' },
    { name: 'category', path: `/c/${category}`, ssr: true, kind: 'catalog' },
    { name: 'product', path: `/products/${product}`, ssr: true, kind: 'catalog' },
    { name: 'home (shopper)', path: '/', ssr: true, kind: 'catalog', cookie },
    { name: 'category (shopper)', path: `/c/${category}`, ssr: true, kind: 'catalog', cookie },
    { name: 'product (shopper)', path: `/products/${product}`, ssr: true, kind: 'catalog', cookie },
    { name: 'cart', path: '/cart', ssr: true, kind: 'personal', cookie },
    { name: 'checkout', path: '/checkout', ssr: true, kind: 'personal', cookie },
    { name: 'my orders', path: '/orders', ssr: true, kind: 'personal', cookie },
    { name: 'an order', path: `/orders/${orderId}`, ssr: true, kind: 'personal', cookie },
  ];
  console.log(
    `web SSR bench: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per route, NODE_ENV=${process.env.NODE_ENV}, ` +
      `${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(2)}, Mongo ${mongo ? 'dev server (own process)' : 'MONGO_TEST_URI'}`,
  );

  /**
   * A round of a route: the bare route's rate just before it, and the route's own run (none for bare);
   * the server thread's CPU per request over the route's run (the bare run's for bare).
   */
  interface Sample {
    bare: number;
    result?: autocannon.Result;
    cpu?: ThreadCpu;
  }
  /** A run of `route` and what it cost the server's thread per request. */
  const measured = async (route: Route, seconds: number) => {
    const before = mainThreadCpu();
    const result = await load(origin, route, seconds);
    return { result, cpu: cpuPerRequest(before, mainThreadCpu(), result.requests.total) };
  };
  const samples = new Map<Route, Sample[]>();
  const routes = [...references, ...pages];
  for (const route of routes) await load(origin, route, 1); // warm-up: JIT, connection pools, caches
  for (let round = 0; round < ROUNDS; round++) {
    for (const route of routes) {
      const bareRun = await measured(bare, BARE_SECONDS);
      const bareRate = bareRun.result.requests.average;
      const sample: Sample =
        route === bare
          ? { bare: bareRate, cpu: bareRun.cpu }
          : { bare: bareRate, ...(await measured(route, SECONDS)) };
      samples.set(route, [...(samples.get(route) ?? []), sample]);
    }
  }
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  /** The median of the rounds' CPU per request, user and system apart ("98 + 30"). */
  const cpuColumn = (cpus: ThreadCpu[]) =>
    cpus.length
      ? `${Math.round(median(cpus.map((cpu) => cpu.user)))} + ${Math.round(median(cpus.map((cpu) => cpu.system)))}`
      : '–';
  console.log(
    `${ROUNDS} rounds; each figure is the median of the rounds' (a share: of the bare run just before; ` +
      "server µs/req: web's thread, or the reference app's, which runs on it too)",
  );
  console.table(
    routes.map((route) => {
      const taken = samples.get(route) ?? [];
      const rateOf = (sample: Sample) => sample.result?.requests.average ?? sample.bare;
      const shares = taken.map((sample) => rateOf(sample) / sample.bare);
      const share = median(shares);
      const p99 = median(taken.map((sample) => sample.result?.latency.p99 ?? Number.NaN));
      const target = route.kind && TARGETS[route.kind];
      const met = target && share >= target.share && p99 <= target.p99Ms;
      return {
        route: route.name,
        path: route.path,
        statuses: statusSummary(taken.flatMap((sample) => (sample.result ? [sample.result] : []))),
        errors: taken.reduce((sum, sample) => sum + (sample.result?.errors ?? 0), 0),
        'req/s': Math.round(median(taken.map(rateOf))),
        'bare req/s': Math.round(median(taken.map((sample) => sample.bare))),
        'p50 ms': median(taken.map((sample) => sample.result?.latency.p50 ?? Number.NaN)),
        'p99 ms': p99,
        '% of bare': `${round(share * 100)}%`,
        'server µs/req user + system': cpuColumn(taken.flatMap((sample) => (sample.cpu ? [sample.cpu] : []))),
        rounds: shares.map((value) => `${round(value * 100)}`).join(' / '),
        target: target
          ? `≥ ${target.share * 100}% & p99 ≤ ${target.p99Ms} ms: ${verdict(Boolean(met))}`
          : '(reference)',
      };
    }),
  );

  // The same load on each page, profiled in this (web's) thread: where a page's time goes.
  if (PROFILE) await profileEach(pages, PROFILE, (route) => load(origin, route, SECONDS));

  console.log(`time to first byte at low load: ${TTFB_SAMPLES} sequential requests per route`);
  const ttfb = [];
  for (const route of [...pages, bare]) ttfb.push(await timeToFirstByte(origin, route));
  console.table(ttfb);
} finally {
  await same?.close();
  await renderingApp.close();
  await testApp.close();
  await stack.stop();
  mongo?.kill('SIGTERM');
}
