import { randomBytes } from 'node:crypto';
import type { RouteEntry } from '@az-shop/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readsVisitor } from '../src/http/visitor-routes';
import {
  createTestApp,
  csrfFor,
  loginAs,
  oneWebConfig,
  type Stack,
  setCookieLines,
  startStack,
  type TestApp,
} from './helper';

/**
 * What each route of web runs for a request, found by walking the route table (so a route added
 * later is checked too), issue #18: every HTML answer gets the full header set and a nonce of its
 * own, nothing else gets the page-only work; the session is opened exactly where a route reads the
 * visitor; every state-changing route checks the session's CSRF token.
 *
 * Whether a request opened the session is seen from outside: the cookie is sealed with the previous
 * secret, so opening it re-seals it with the current one (a Set-Cookie on the answer).
 */
let stack: Stack;
let web: TestApp;
let oldCookie: string;
let admin: string;

beforeAll(async () => {
  stack = await startStack();
  const oldSecret = randomBytes(32).toString('hex');
  const shared = oneWebConfig(stack);
  const before = await createTestApp(stack, { ...shared, SESSION_SECRET: oldSecret });
  oldCookie = (await csrfFor(before.app)).cookie;
  await before.app.close();
  web = await createTestApp(stack, { ...shared, SESSION_SECRET_PREVIOUS: oldSecret });
  admin = await loginAs(web.app, 'admin@example.com');
});

afterAll(async () => {
  await web?.close();
  await stack?.stop();
});

/** Payment providers post events signed with their own secret: no session, no CSRF token. */
const SIGNED_BY_PROVIDER = new Set(['/api/payments/webhooks/:provider']);
const PAGE_ONLY_HEADERS = ['x-frame-options', 'cross-origin-opener-policy', 'origin-agent-cluster'];

/**
 * Input that passes the schema of the routes that validate it before the CSRF check (Fastify
 * validates before preHandler hooks), so that the check is what answers. A new such route fails the
 * CSRF test below with a 400 until it is added here.
 */
const VALID_INPUT: Record<string, { path?: string; body?: Record<string, unknown> }> = {
  'POST /api/cart/lines': { body: { productId: 'no-such-product', qty: 1 } },
  'PUT /api/cart/lines/:productId': { body: { qty: 1 } },
  'POST /api/orders/:id/cancellation': { path: '/api/orders/o_no-such-order/cancellation' },
  'POST /dev-checkout/:paymentId': { body: { cardNumber: '4242 4242 4242 4242' } },
};

const pathOf = (route: RouteEntry) =>
  route.url.replace(/:(\w+)/g, 'no-such-$1').replace(/\*$/, 'no/such.png');

function send(route: RouteEntry, headers: Record<string, string>) {
  const input = VALID_INPUT[`${route.method} ${route.url}`];
  return web.app.inject({
    method: route.method as 'GET',
    url: input?.path ?? pathOf(route),
    headers: { accept: 'text/html', ...headers },
    ...(route.method !== 'GET' && { payload: input?.body ?? {} }),
  });
}

const resealed = (response: Awaited<ReturnType<typeof send>>) =>
  setCookieLines(response).some((line) => line.startsWith('az_session=') && !line.startsWith('az_session=;'));

describe('the hooks each route runs', () => {
  it('opens the session exactly on the routes that read the visitor, and lists the others', async () => {
    const free: string[] = [];
    for (const route of web.app.routeTable) {
      const response = await send(route, { cookie: oldCookie });
      const expected = readsVisitor(route.method, route.url);
      expect(resealed(response), `${route.method} ${route.url} (${response.statusCode})`).toBe(expected);
      if (!expected) free.push(route.url.startsWith('/assets/') ? '/assets/…' : route.url);
    }
    expect([...new Set(free)].sort()).toEqual([
      '/api/categories',
      '/api/products',
      '/api/products/:id',
      '/api/products/:id/availability',
      '/assets/…',
      '/healthz',
      '/images/*',
      '/metrics',
      '/readyz',
    ]);
  });

  it('gives every HTML answer the full header set and its own nonce, and no other answer either', async () => {
    const pages: string[] = [];
    // Event streams stay open for an admin; they are not pages (text/event-stream) either way.
    for (const route of web.app.routeTable.filter(({ url }) => !url.endsWith('/events'))) {
      const response = await send(route, { cookie: admin });
      const where = `${route.method} ${route.url} (${response.statusCode})`;
      const csp = String(response.headers['content-security-policy']);
      expect(response.headers['x-content-type-options'], where).toBe('nosniff');
      expect(response.headers['referrer-policy'], where).toBe('no-referrer');
      expect(response.headers['x-request-id'], where).toBeDefined();
      if (String(response.headers['content-type']).startsWith('text/html')) {
        pages.push(route.url);
        for (const name of PAGE_ONLY_HEADERS)
          expect(response.headers[name], `${where}: ${name}`).toBeDefined();
        expect(csp, where).toMatch(/script-src 'self' 'nonce-[^']+'/);
        expect(csp, where).toContain("default-src 'self'");
      } else {
        for (const name of PAGE_ONLY_HEADERS)
          expect(response.headers[name], `${where}: ${name}`).toBeUndefined();
        expect(csp, where).not.toContain('nonce-');
      }
    }
    expect(pages).toEqual(expect.arrayContaining(['/', '/c/:categoryId', '/products/:id', '/admin/catalog']));
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const page = await web.app.inject({ method: 'GET', url: '/' });
      const nonce = /'nonce-([^']+)'/.exec(String(page.headers['content-security-policy']))?.[1] ?? '';
      expect(page.body).toContain(`nonce="${nonce}"`);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(3);
  });

  it('checks the session and its CSRF token on every state-changing route', async () => {
    const changes = web.app.routeTable.filter(
      (route) => route.method !== 'GET' && !SIGNED_BY_PROVIDER.has(route.url),
    );
    expect(changes.length).toBeGreaterThan(10);
    for (const route of changes) {
      expect(readsVisitor(route.method, route.url), route.url).toBe(true);
      // Signed in as an admin, so neither sign-in nor the admin role is what refuses it.
      const response = await send(route, { cookie: admin, accept: 'application/json' });
      expect(response.statusCode, `${route.method} ${route.url}: ${response.body}`).toBe(403);
      const foreign = await send(route, { cookie: admin, origin: 'https://elsewhere.example' });
      expect(foreign.statusCode, `${route.method} ${route.url} from another site`).toBe(403);
      // The missing token alone would be a 403 too: the answer says the Origin check refused it.
      const foreignJson = await send(route, {
        cookie: admin,
        accept: 'application/json',
        origin: 'https://elsewhere.example',
      });
      expect(foreignJson.json(), `${route.method} ${route.url} from another site`).toMatchObject({
        error: 'FORBIDDEN',
        message: 'This request came from another site',
      });
    }
  });
});
