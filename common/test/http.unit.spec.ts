import pino from 'pino';
import { Registry } from 'prom-client';
import { Type } from 'typebox';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AccessLogSettings, createServiceApp, Errors, withDetails } from '../src/http';

const logger = pino({ level: 'silent' });
let close: (() => Promise<unknown>) | undefined;
afterEach(async () => close?.());

async function appWith(checks: Parameters<typeof createServiceApp>[0]['checks']) {
  const app = await createServiceApp({ service: 'test', logger, checks, checkTimeoutMs: 200 });
  close = () => app.close();
  return app;
}

describe('health plugin', () => {
  it('answers alive, ready and metrics', async () => {
    const app = await appWith({ db: () => ({ ok: true }) });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'alive' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { db: { ok: true } } });
    const metrics = await app.inject('/metrics');
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
  });

  it('is not ready with a 503 naming the failing, throwing or hung check', async () => {
    const app = await appWith({
      ok: () => ({ ok: true }),
      stream: () => ({ ok: false, reason: 'catching up' }),
      db: async () => {
        throw new Error('connection refused');
      },
      hung: () => new Promise(() => {}),
    });
    const response = await app.inject('/readyz');
    expect(response.statusCode).toBe(503);
    const body = response.json();
    expect(body.error).toBe('NOT_READY');
    expect(body.message).toContain('stream (catching up)');
    expect(body.message).toContain('db (connection refused)');
    expect(body.message).toContain('hung (timed out after 200 ms)');
    expect(body.details.checks.ok).toEqual({ ok: true });
  });
});

describe('error handler', () => {
  it('maps application errors to { error, message, details }', async () => {
    const app = await appWith({});
    app.get('/missing', async () => {
      throw new Errors.NotFound('Product p1');
    });
    app.get('/conflict', async () => {
      throw withDetails(new Errors.Conflict('Order already paid'), { orderId: 'o1' });
    });
    expect((await app.inject('/missing')).json()).toEqual({
      error: 'NOT_FOUND',
      message: 'Product p1 not found',
    });
    const conflict = await app.inject('/conflict');
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({
      error: 'CONFLICT',
      message: 'Order already paid',
      details: { orderId: 'o1' },
    });
  });

  it('answers schema violations with 400 and the failing paths', async () => {
    const app = await appWith({});
    app.post(
      '/items',
      { schema: { body: Type.Object({ qty: Type.Integer({ minimum: 1 }) }) } },
      async () => 'ok',
    );
    const response = await app.inject({ method: 'POST', url: '/items', payload: { qty: 0 } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error).toBe('VALIDATION_FAILED');
    expect(body.details[0].path).toBe('/qty');
  });

  it('never leaks a 5xx message or stack', async () => {
    const app = await appWith({});
    app.get('/boom', async () => {
      throw new Error('secret connection string mongodb://user:pw@host');
    });
    const response = await app.inject('/boom');
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'INTERNAL', message: 'Internal Server Error' });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const app = await appWith({});
    const response = await app.inject('/nope');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'NOT_FOUND' });
  });
});

describe('per request: id, log line and metrics', () => {
  async function observedApp(accessLog?: AccessLogSettings, level = 'info') {
    const lines: Record<string, unknown>[] = [];
    const sink = { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) };
    const registry = new Registry();
    const app = await createServiceApp({
      service: 'catalog',
      logger: pino({ level }, sink),
      checks: {},
      registry,
      ...(accessLog && { accessLog }),
    });
    app.get('/things/:id', async (request) => {
      request.log.info('handling');
      return { id: (request.params as { id: string }).id };
    });
    app.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      return { done: true };
    });
    close = () => app.close();
    return { app, lines, registry };
  }

  it('given an acceptable x-request-id, when answered, then the answer and every log line carry it', async () => {
    const { app, lines } = await observedApp();
    const response = await app.inject({ url: '/things/1', headers: { 'x-request-id': 'edge-7f3a.01' } });
    expect(response.headers['x-request-id']).toBe('edge-7f3a.01');
    expect(lines.length).toBe(2); // the handler's line and one line per request, not two
    for (const line of lines) expect(line.reqId).toBe('edge-7f3a.01');
    expect(lines[1]).toMatchObject({
      msg: 'request completed',
      method: 'GET',
      url: '/things/1',
      statusCode: 200,
    });
  });

  const problemsOnly: AccessLogSettings = { ACCESS_LOG: 'problems', ACCESS_LOG_SLOW_MS: 50 };
  const completed = (lines: Record<string, unknown>[]) =>
    lines.filter((line) => line.msg === 'request completed');

  it('given ACCESS_LOG=problems, when requests are answered, then only the refused and the slow ones are logged at info', async () => {
    const { app, lines } = await observedApp(problemsOnly);
    await app.inject('/things/1');
    await app.inject('/nowhere');
    await app.inject('/slow');
    expect(completed(lines).map(({ url, statusCode, level }) => ({ url, statusCode, level }))).toEqual([
      { url: '/nowhere', statusCode: 404, level: 30 },
      { url: '/slow', statusCode: 200, level: 30 },
    ]);
    // The handler's own line is not the access log's to drop.
    expect(lines.filter((line) => line.msg === 'handling')).toHaveLength(1);
  });

  it('given ACCESS_LOG=problems and LOG_LEVEL=debug, when a fast request is answered, then its line is at debug', async () => {
    const { app, lines } = await observedApp(problemsOnly, 'debug');
    await app.inject('/things/1');
    expect(completed(lines)).toMatchObject([{ url: '/things/1', statusCode: 200, level: 20 }]);
  });

  it('given ACCESS_LOG=all, when a fast request is answered, then it is logged at info', async () => {
    const { app, lines } = await observedApp({ ACCESS_LOG: 'all', ACCESS_LOG_SLOW_MS: 50 });
    await app.inject('/things/1');
    expect(completed(lines)).toMatchObject([{ url: '/things/1', statusCode: 200, level: 30 }]);
  });

  it('given an unsafe or missing x-request-id, when answered, then a new id is made and returned', async () => {
    const { app, lines } = await observedApp();
    const unsafe = await app.inject({ url: '/things/1', headers: { 'x-request-id': 'a\tb' } });
    const none = await app.inject({ url: '/nowhere' });
    for (const response of [unsafe, none])
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(unsafe.headers['x-request-id']).not.toBe(none.headers['x-request-id']);
    expect(lines.every((line) => line.reqId !== 'a\tb')).toBe(true);
  });

  it('given requests, when metrics are read, then they count by route pattern, never by raw URL', async () => {
    const { app, registry } = await observedApp();
    for (const id of ['1', '2', '3']) await app.inject(`/things/${id}`);
    await app.inject('/nowhere/at/all');
    const text = await registry.metrics();
    expect(text).toContain(
      'http_request_duration_seconds_count{service="catalog",method="GET",route="/things/:id",status="200"} 3',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{service="catalog",method="GET",route="(unmatched)",status="404"} 1',
    );
    expect(text).not.toContain('/things/1');
    expect(text).not.toContain('/nowhere');
  });

  it('given a service, when metrics are read, then every series carries its name', async () => {
    const { app, registry } = await observedApp();
    await app.inject('/things/1');
    const series = (await registry.metrics()).split('\n').filter((line) => line && !line.startsWith('#'));
    expect(series.length).toBeGreaterThan(0);
    expect(series.filter((line) => !line.includes('service="catalog"'))).toEqual([]);
  });
});

describe("a request's logger", () => {
  /** A service app whose root logger records its lines and counts the child loggers made from it. */
  async function loggingApp() {
    const lines: Record<string, unknown>[] = [];
    const root = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const app = await createServiceApp({
      service: 'catalog',
      logger: root,
      checks: {},
      registry: new Registry(),
      accessLog: { ACCESS_LOG: 'problems', ACCESS_LOG_SLOW_MS: 1000 },
    });
    app.get('/quiet', async (request) => {
      request.log.debug('dropped at info');
      return { level: request.log.level };
    });
    app.get('/verbose', { logLevel: 'debug' }, async (request) => {
      request.log.debug('detail');
      return { level: request.log.level };
    });
    app.get('/step', async (request) => {
      request.log.child({ step: 'pay' }).warn('declined');
      return {};
    });
    close = () => app.close();
    await app.ready();
    const childrenMade = vi.spyOn(root, 'child');
    return { app, lines, childrenMade };
  }

  it('given a request that writes no line, when answered, then no child logger was made for it', async () => {
    const { app, lines, childrenMade } = await loggingApp();
    const response = await app.inject('/quiet');
    expect(response.json()).toEqual({ level: 'info' });
    expect(childrenMade).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it("given a route's own log level, when it logs below the service's level, then the line is written with the request id", async () => {
    const { app, lines, childrenMade } = await loggingApp();
    const response = await app.inject({ url: '/verbose', headers: { 'x-request-id': 'edge-1' } });
    expect(response.json()).toEqual({ level: 'debug' });
    expect(lines.filter((line) => line.msg === 'detail')).toMatchObject([{ level: 20, reqId: 'edge-1' }]);
    expect(childrenMade).toHaveBeenCalledTimes(1);
  });

  it("given a child of a request's logger, when it logs, then the line has the request id and the child's bindings", async () => {
    const { app, lines } = await loggingApp();
    await app.inject({ url: '/step', headers: { 'x-request-id': 'edge-2' } });
    expect(lines.filter((line) => line.msg === 'declined')).toMatchObject([
      { level: 40, reqId: 'edge-2', step: 'pay' },
    ]);
  });
});
