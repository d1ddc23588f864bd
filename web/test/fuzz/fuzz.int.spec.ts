import fc from 'fast-check';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webConfigSchema } from '../../src/config';
import { INTENT_FIELD } from '../../src/ui/forms';
import { createTestApp, type Stack, seedProducts, startStack, type TestApp } from '../helper';
import { ADDRESS, newKey, Shopper } from '../shopper';
import { casesFor } from './requests';
import { type FuzzRoute, fuzzRoutes, missingSchemas, routeName, takesBody } from './routes';
import { type Finding, fuzzRoute, type RouteReport, type Visitor } from './runner';
import { arbitraryFromSchema, asForm, type Hints } from './schema-arbitrary';

/**
 * Fuzzes every route of the real app (walked from its route table, so a route added later is fuzzed
 * too) with requests generated from the route's own schemas: valid-ish inputs, mutations of them
 * (wrong types, missing and extra fields, `$` operators, `__proto__`, huge values, broken unicode)
 * and malformed raw bodies, sent as a signed-in shopper with a valid CSRF token so they reach the
 * handlers. Invariants: no 5xx, no crash, no polluted prototype, no change to stored data on a 4xx.
 *
 * FUZZ_CASES sets the cases per JSON API route and per route taking a body (forms), default 1000;
 * FUZZ_OTHER_CASES those of the other GET routes (server-rendered pages, sign-in redirects, images),
 * default a quarter of it: a page render costs many times an API answer. The bundle's files (one route
 * each, nothing to parse but headers) get a tenth of that. FUZZ_SEED replays a run (default
 * fixed, so `npm test` is repeatable; any other seed explores further).
 */
const CASES = Number(process.env.FUZZ_CASES ?? 1000);
const OTHER_CASES = Number(process.env.FUZZ_OTHER_CASES ?? Math.ceil(CASES / 4));
const SEED = Number(process.env.FUZZ_SEED ?? 14);

const ASSET_CASES = Math.ceil(OTHER_CASES / 10);

const casesOf = (route: FuzzRoute) => {
  if (route.url.startsWith('/api/') || takesBody(route)) return CASES;
  return route.url.startsWith('/assets/') ? ASSET_CASES : OTHER_CASES;
};

/** Inputs taken without a schema on purpose. Anything else without one fails the suite. */
const WITHOUT_SCHEMA: Record<string, string> = {
  'POST /auth/logout': 'its only field is the CSRF token, which csrfProtection checks',
  'GET /assets/*': '@fastify/static resolves names inside the bundle folder itself',
  'POST /api/orders/:id/cancellation': 'takes no body: the order is named by the path',
  'POST /auth/logout-everywhere': 'its only field is the CSRF token, which csrfProtection checks',
  'POST /api/payments/webhooks/:provider':
    "raw bytes checked against the provider's signature before anything reads them (400 unsigned)",
  'POST /api/admin/catalog/products/:id/image':
    'raw image bytes, sniffed whole before anything is stored (admin only; 415, 400 or 413 otherwise)',
};

/**
 * Every limit and cap at its highest: the suite sends thousands of requests as one shopper from one
 * address, and a 429 or a cap would stop them before the handlers. Settings are found by name
 * (`MAX_…`, `…_MAX`), so limits added later are raised too.
 */
function unlimited(): Record<string, string> {
  const properties = webConfigSchema.properties as Record<string, { type?: string; maximum?: number }>;
  return Object.fromEntries(
    Object.entries(properties)
      .filter(([name, schema]) => /^MAX_|_MAX$/.test(name) && /integer|number/.test(String(schema.type)))
      .map(([name, schema]) => [name, String(schema.maximum ?? 1_000_000)]),
  );
}

const PRODUCTS = ['fz-chair', 'fz-table'];
const CATEGORY = 'fz-chairs';

let stack: Stack;
let testApp: TestApp;
let routes: FuzzRoute[];
let shopper: Shopper;
let orderId: string;
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  stack = await startStack();
  testApp = await createTestApp(stack, unlimited());
  routes = fuzzRoutes(testApp.app.routeTable);
  await seedProducts(testApp.db, [
    { _id: 'fz-chair', heading: 'Fuzz Chair', category: CATEGORY, imagePath: 'fz/chair.png' },
    { _id: 'fz-table', heading: 'Fuzz Table', category: CATEGORY },
  ]);
  await testApp.db
    .collection<Record<string, unknown> & { _id: string }>('products')
    .insertOne({ _id: CATEGORY, partition_key: CATEGORY, kind: 'category', heading: 'Chairs', position: 1 });
  shopper = await Shopper.signedIn(testApp.app, 'shopper@example.com');
  await shopper.request('POST', '/api/cart/lines', { productId: 'fz-chair', qty: 1 });
  const checkout = await shopper.request('POST', '/api/checkout', {
    address: ADDRESS,
    idempotencyKey: newKey(),
  });
  if (checkout.statusCode !== 201) throw new Error(`the setup's checkout answered ${checkout.statusCode}`);
  orderId = (checkout.json() as { orderId: string }).orderId;
}, 120_000);

afterAll(async () => {
  await testApp?.close();
  await stack?.stop();
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
});

/**
 * Known strings (so ids are found) and filled-in forms: every JSON body schema's values flattened as
 * the no-JavaScript form of the same action posts them, with the intents of the page forms (web/src/ui/pages).
 */
function hints(): Hints {
  // The dev payment provider's test cards, for payment forms that still take a card.
  const cards = ['4242 4242 4242 4242', '4000000000000002', '12/39', '123'];
  const known: Hints = { strings: [...PRODUCTS, CATEGORY, orderId, 'fz/chair.png', ...cards] };
  const bodies = routes.flatMap((route) =>
    route.body?.properties ? [arbitraryFromSchema(route.body, known)] : [],
  );
  const intent = fc.option(fc.constantFrom('add', 'update', 'remove', 'cancel'), { nil: undefined });
  const forms = fc
    .tuple(fc.oneof(...bodies), intent)
    .map(([body, action]) => ({ ...asForm(body), ...(action && { [INTENT_FIELD]: action }) }));
  return { ...known, forms };
}

const visitor: Visitor = {
  get cookie() {
    return shopper.cookie;
  },
  get token() {
    return shopper.token;
  },
  async ensureSignedIn() {
    const session = await shopper.request('GET', '/api/session');
    if ((session.json() as { user: unknown }).user) return;
    shopper = await Shopper.signedIn(testApp.app, 'shopper@example.com');
  },
};

function table(reports: RouteReport[]): string {
  const lines = reports.map((report) => {
    const statuses = Object.entries(report.statuses)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    return `${report.route.padEnd(42)} ${String(report.cases).padStart(5)} cases  5xx ${report.serverErrors}  ${String(report.ms).padStart(6)} ms  ${String(report.digests).padStart(4)} digests  ${statuses}`;
  });
  return lines.join('\n');
}

describe('fuzzing every route from its schemas', () => {
  it('walks a route table with a schema for every input', () => {
    const names = routes.map(routeName);
    expect(names).toEqual(
      expect.arrayContaining(['POST /api/cart/lines', 'POST /checkout', 'GET /orders/:id']),
    );
    const missing = routes
      .map((route) => ({ route: routeName(route), missing: missingSchemas(route) }))
      .filter(({ route, missing }) => missing.length > 0 && !(route in WITHOUT_SCHEMA));
    expect(missing).toEqual([]);
  });

  it(`answers ${CASES} cases per route below 500, in the error model, without writing on a 4xx`, async () => {
    const cpu = process.cpuUsage();
    const findings: Finding[] = [];
    const reports: RouteReport[] = [];
    const known = hints();
    for (const route of routes) {
      // Something in the cart, so checkouts can succeed (earlier routes' cases may have emptied it).
      await shopper.request('POST', '/api/cart/lines', { productId: 'fz-chair', qty: 1 });
      const cases = fc.sample(casesFor(route, known), { numRuns: casesOf(route), seed: SEED });
      reports.push(await fuzzRoute(testApp.app, testApp.db, routeName(route), cases, visitor, findings));
    }
    const total = reports.reduce((sum, report) => sum + report.cases, 0);
    const { user, system } = process.cpuUsage(cpu);
    const cpuSeconds = ((user + system) / 1e6).toFixed(0);
    console.log(
      `fuzz (seed ${SEED}): ${total} cases over ${reports.length} routes, ${cpuSeconds} s of CPU\n${table(reports)}`,
    );
    expect(findings).toEqual([]);
    expect(crashes).toEqual([]);
    for (const [index, report] of reports.entries())
      expect(report.cases, report.route).toBe(casesOf(routes[index] as FuzzRoute));
  }, 900_000);
});

describe('the invariants themselves', () => {
  it('catch a refused request that writes, a 5xx and a broken error body, naming the case', async () => {
    const leaky = Fastify();
    leaky.post('/leaky', async (_request, reply) => {
      await testApp.db.collection('leaks').insertOne({ at: new Date() });
      return reply.code(400).send({ error: 'VALIDATION_FAILED', message: 'refused, after writing' });
    });
    leaky.get('/broken', async (_request, reply) => reply.code(418).send({ nothing: 'useful' }));
    leaky.get('/crash', async () => {
      throw new Error('boom');
    });
    const anyone: Visitor = { cookie: '', token: '', ensureSignedIn: async () => {} };
    const request = (method: string, url: string) => ({ kind: 'mutated' as const, method, url, headers: {} });
    const findings: Finding[] = [];
    for (const [name, cases] of [
      ['POST /leaky', [request('GET', '/missing'), request('POST', '/leaky'), request('GET', '/missing')]],
      ['GET /broken', [request('GET', '/broken')]],
      ['GET /crash', [request('GET', '/crash')]],
    ] as const)
      await fuzzRoute(leaky, testApp.db, name, [...cases], anyone, findings);
    await leaky.close();
    expect(findings.map(({ route, problem }) => `${route}: ${problem}`)).toEqual([
      'POST /leaky: refused with 400 but changed leaks',
      'GET /broken: error body is not { error, message }: {"nothing":"useful"}',
      expect.stringMatching(/^GET \/crash: answered 500/),
    ]);
    await testApp.db.collection('leaks').drop();
  });
});

/** Bugs the fuzzer found, each pinned by the smallest request that showed it. */
describe('regressions found by fuzzing', () => {
  const deep = (levels: number) => `{"address":${'['.repeat(levels)}${']'.repeat(levels)}}`;

  it.each(['/api/checkout', `/api/orders/:id/payments`])(
    'refuses JSON nested thousands deep on %s with a 400 (the services cloned it recursively: 500)',
    async (path) => {
      const response = await testApp.app.inject({
        method: 'POST',
        url: path.replace(':id', orderId),
        headers: {
          cookie: shopper.cookie,
          'x-csrf-token': shopper.token,
          'content-type': 'application/json',
        },
        payload: deep(50_000),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
    },
  );
});
