import { createServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactory,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import type { Logger } from '../logger';
import { AccessLog, type AccessLogSettings } from './access-log';
import { errorHandlerPlugin } from './error-handler';
import { type HealthPluginOptions, healthPlugin } from './health-plugin';
import { lazyRequestLogger } from './lazy-request-logger';
import { metricsRegistry } from './metrics';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id';
import { requestMetricsHook } from './request-metrics';
import { recordRoutes } from './route-table';

/** Server options a service may set (proxy trust, timeouts); the logger is always the service's. */
export interface ServiceServerOptions
  extends Pick<FastifyServerOptions, 'trustProxy' | 'requestTimeout' | 'connectionTimeout'> {
  /** Options of Node's HTTP server (e.g. `connectionsCheckingInterval`, how often timeouts are checked). */
  http?: ServerOptions;
}

export interface ServiceAppOptions extends HealthPluginOptions {
  /**
   * The service's name, the `service` label on every metric of its registry: scraped by pod
   * annotations, every pod has the same `job`, so alerts tell the services apart by this label.
   */
  service: string;
  logger: Logger;
  /** Which answered requests get an info line (`ACCESS_LOG`); absent, every one. */
  accessLog?: AccessLogSettings;
  server?: ServiceServerOptions;
  /**
   * `INTERNAL_PORT`: a second, bare listener on it serves `/healthz`, `/readyz` with details and
   * `/metrics`, and the main port keeps only `/healthz` and a `/readyz` without details (0 picks a
   * free port). Absent (a service run on its own in development, tests), the main port serves all.
   */
  internalPort?: number | undefined;
}

/** Where a started service listens, for its startup log. */
export interface ServiceAddresses {
  address: string;
  internalAddress?: string;
}

function healthOptions({ checks, registry, checkTimeoutMs }: ServiceAppOptions): HealthPluginOptions {
  return { checks, registry, checkTimeoutMs };
}

/**
 * Both listeners' request ids: ours, not Fastify's own header option (it would take any value the
 * caller sends).
 */
const REQUEST_IDS = { requestIdHeader: false, genReqId: requestIdOf } as const;

/** Every answer carries its request's id, errors included (set before any route runs). */
function echoRequestId(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.header(REQUEST_ID_HEADER, request.id);
  done();
}

/**
 * The internal listener: health and metrics without any of the service's plugins, hooks or request
 * logs (issue #18), so neither a slow page nor a session store can make a probe fail.
 */
async function createInternalApp(
  options: ServiceAppOptions,
  draining: () => boolean,
): Promise<FastifyInstance> {
  const internal: FastifyInstance = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ...REQUEST_IDS,
  });
  internal.addHook('onRequest', echoRequestId);
  await internal.register(errorHandlerPlugin);
  await internal.register(healthPlugin, { ...healthOptions(options), draining });
  return internal;
}

/** Each app's internal listener and its port: `listenService` starts it, closing the app closes it. */
const internalListeners = new WeakMap<FastifyInstance, { app: FastifyInstance; port: number }>();

const ALIVE = JSON.stringify({ status: 'alive' });
const ALIVE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(Buffer.byteLength(ALIVE)),
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * The main port's `GET /healthz`, answered before Fastify routes it (issue #18): a liveness probe
 * needs none of a service's hooks (a storefront's headers, session, logs), and a process that can
 * answer here is alive. Its answer is the health plugin's route's, which `inject()` still reaches.
 * It carries `x-request-id` like every answer, and is neither logged (as that route) nor counted.
 */
function answeredAlive(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.url !== '/healthz' || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
  response.writeHead(200, { ...ALIVE_HEADERS, [REQUEST_ID_HEADER]: requestIdOf(request) });
  response.end(request.method === 'GET' ? ALIVE : undefined);
  return true;
}

/** Fastify's own HTTP/1 server with its timeouts, in front of it the liveness answer. */
const serverWithLiveness: FastifyServerFactory = (handler, fastifyOptions) => {
  // Fastify's resolved options (its defaults filled in); its types leave them unknown.
  const options = fastifyOptions as {
    http?: ServerOptions;
    keepAliveTimeout?: number;
    requestTimeout?: number;
    connectionTimeout?: number;
    maxRequestsPerSocket?: number;
  };
  const server = createServer(options.http ?? {}, (request, response) => {
    if (!answeredAlive(request, response)) handler(request, response);
  });
  // What Fastify sets on a server it makes itself.
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
  server.setTimeout(options.connectionTimeout ?? 0);
  if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  return server;
};

/**
 * The HTTP shell every service shares: its logger, the one error model, health/metrics, and per
 * request an id (the caller's `x-request-id` when acceptable, else a new one: on every log line of
 * the request as `reqId` and on its answer) and `http_request_duration_seconds` by route pattern.
 */
export async function createServiceApp(options: ServiceAppOptions): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger; widening the generic keeps every plugin's types the default ones.
  const app: FastifyInstance = Fastify({
    ...options.server,
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new AccessLog(options.accessLog),
    childLoggerFactory: lazyRequestLogger,
    serverFactory: serverWithLiveness,
    ...REQUEST_IDS,
  });
  const registry = options.registry ?? metricsRegistry;
  registry.setDefaultLabels({ service: options.service });
  app.addHook('onRequest', echoRequestId);
  app.addHook('onResponse', requestMetricsHook(registry));
  let draining = false;
  const internal =
    options.internalPort === undefined
      ? null
      : { app: await createInternalApp(options, () => draining), port: options.internalPort };
  if (internal) internalListeners.set(app, internal);
  recordRoutes(app);
  await app.register(errorHandlerPlugin);
  await app.register(healthPlugin, {
    ...healthOptions(options),
    // With an internal port, what is wrong and the metrics are for it alone.
    ...(internal && { details: false, metrics: false }),
    draining: () => draining,
  });
  // Closing the service: not ready at once on both ports, the main port drains its requests, then
  // the internal one closes, so probes see the drain rather than a refused connection.
  app.addHook('preClose', async () => {
    draining = true;
  });
  // A request in flight when the drain starts would otherwise leave its keep-alive connection open
  // (Fastify's keepAliveTimeout, 72 s), holding the close past the shutdown's timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  if (internal) app.addHook('onClose', async () => internal.app.close());
  return app;
}

/**
 * Listens on the main port, then on the internal one when the app has it (same host). A failure
 * of the second closes the first. `app.close()` closes both.
 */
export async function listenService(
  app: FastifyInstance,
  options: { host: string; port: number },
): Promise<ServiceAddresses> {
  const address = await app.listen({ host: options.host, port: options.port });
  const internal = internalListeners.get(app);
  if (!internal) return { address };
  try {
    return {
      address,
      internalAddress: await internal.app.listen({ host: options.host, port: internal.port }),
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}
