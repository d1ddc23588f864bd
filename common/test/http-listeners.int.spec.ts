/**
 * The internal listener (INTERNAL_PORT) on real sockets: details and metrics there only, the main
 * port's /readyz a bare status, both not ready during the drain, and one close for both.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, listenService, type ReadinessResult } from '../src/http';

let cleanup: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** An app with one check whose result the test sets, listening on port 0 (its internal port 0 too); log lines kept. */
async function started(
  options: { internalPort?: number | null; routes?: (app: FastifyInstance) => void } = {},
) {
  const lines: { msg?: string; url?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const state: { db: ReadinessResult } = { db: { ok: true } };
  const app = await createServiceApp({
    service: 'test',
    logger,
    checks: { db: () => state.db },
    checkTimeoutMs: 200,
    internalPort: options.internalPort === null ? undefined : (options.internalPort ?? 0),
  });
  cleanup = () => app.close();
  // Stands for the storefront's plugin stack (helmet, session…): the internal listener has none of it.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('x-storefront', 'yes');
  });
  options.routes?.(app);
  const addresses = await listenService(app, { host: '127.0.0.1', port: 0 });
  return { app, state, lines, main: addresses.address, internal: addresses.internalAddress };
}

async function get(url: string) {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, text, headers: response.headers, json: () => JSON.parse(text) };
}

/** True when nothing accepts connections at `url` any more. */
async function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    () => true,
  );
}

describe('with an internal port', () => {
  it('serves readiness details and metrics there, and on the main port only a bare status', async () => {
    const { main, internal } = await started();
    expect(internal).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(internal).not.toBe(main);

    const ready = await get(`${internal}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { db: { ok: true } } });
    const metrics = await get(`${internal}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
    expect((await get(`${internal}/healthz`)).json()).toEqual({ status: 'alive' });
    expect(ready.headers.get('x-storefront')).toBeNull();

    const mainReady = await get(`${main}/readyz`);
    expect(mainReady.status).toBe(200);
    expect(mainReady.json()).toEqual({ status: 'ready' });
    expect(mainReady.headers.get('x-storefront')).toBe('yes');
    expect((await get(`${main}/healthz`)).json()).toEqual({ status: 'alive' });
    const mainMetrics = await get(`${main}/metrics`);
    expect(mainMetrics.status).toBe(404);
    expect(mainMetrics.text).not.toContain('process_cpu');
  });

  it('answers 503 on both when a check fails, naming it on the internal port only', async () => {
    const { state, main, internal } = await started();
    state.db = { ok: false, reason: 'connection refused by db.internal:27017' };

    const detailed = await get(`${internal}/readyz`);
    expect(detailed.status).toBe(503);
    expect(detailed.json().message).toBe('Not ready: db (connection refused by db.internal:27017)');
    expect(detailed.json().details.checks.db).toEqual(state.db);

    const bare = await get(`${main}/readyz`);
    expect(bare.status).toBe(503);
    expect(bare.json()).toEqual({ error: 'NOT_READY', message: 'Not ready' });
  });

  it('answers the main port’s /healthz before any hook, and request ids on both ports', async () => {
    const { lines, main, internal } = await started();
    const alive = await fetch(`${main}/healthz`, { headers: { 'x-request-id': 'probe-1' } });
    expect(alive.status).toBe(200);
    expect(await alive.json()).toEqual({ status: 'alive' });
    expect(alive.headers.get('x-request-id')).toBe('probe-1');
    expect(alive.headers.get('x-storefront')).toBeNull(); // the stand-in for the plugin stack did not run
    const head = await fetch(`${main}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Anything else still goes through Fastify and its hooks.
    expect((await fetch(`${main}/healthz?x=1`)).headers.get('x-storefront')).toBe('yes');
    expect(lines.map((line) => line.url)).not.toContain('/healthz');
    const metrics = await fetch(`${internal}/metrics`, { headers: { 'x-request-id': 'scrape-1' } });
    expect(metrics.headers.get('x-request-id')).toBe('scrape-1');
  });

  it('logs no request on the internal port', async () => {
    const { lines, main, internal } = await started();
    await get(`${main}/nowhere-main`);
    await get(`${internal}/nowhere-internal`);
    const urls = lines.map((line) => line.url).filter(Boolean);
    expect(urls).toContain('/nowhere-main');
    expect(urls).not.toContain('/nowhere-internal');
  });

  it('is not ready on either port while the main port drains, then one close closes both', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => (entered = resolve));
    const { app, main, internal } = await started({
      routes: (app) =>
        app.get('/slow', async () => {
          entered();
          await gate;
          return { done: true };
        }),
    });
    const slow = get(`${main}/slow`);
    await inFlight;

    const closing = app.close();
    await expect.poll(async () => (await get(`${internal}/readyz`)).status).toBe(503);
    expect((await get(`${internal}/readyz`)).json()).toEqual({
      error: 'NOT_READY',
      message: 'Not ready: shutting down',
    });
    // Still draining: the internal port answers (503), not a refused connection.
    expect((await get(`${internal}/healthz`)).status).toBe(200);

    release();
    expect((await slow).json()).toEqual({ done: true });
    await closing;
    expect(await refused(`${main}/healthz`)).toBe(true);
    expect(await refused(`${internal}/healthz`)).toBe(true);
  });

  it('closes the main port when the internal one cannot listen', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const address = squatter.address();
    const taken = typeof address === 'object' && address ? address.port : 0;
    try {
      const app = await createServiceApp({
        service: 'test',
        logger: pino({ level: 'silent' }),
        checks: {},
        internalPort: taken,
      });
      cleanup = () => app.close();
      await expect(listenService(app, { host: '127.0.0.1', port: 0 })).rejects.toThrow(/EADDRINUSE/);
      expect(app.server.listening).toBe(false);
    } finally {
      squatter.close();
    }
  });
});

describe('without an internal port (a service run on its own in development)', () => {
  it('serves health, readiness details and metrics on the main port', async () => {
    const { main, internal } = await started({ internalPort: null });
    expect(internal).toBeUndefined();
    expect((await get(`${main}/readyz`)).json()).toEqual({ status: 'ready', checks: { db: { ok: true } } });
    expect((await get(`${main}/metrics`)).text).toContain('process_cpu_user_seconds_total');
  });
});
