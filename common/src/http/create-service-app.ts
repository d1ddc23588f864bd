import type { ServerOptions } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from '../logger';
import { errorHandlerPlugin } from './error-handler';
import { type HealthPluginOptions, healthPlugin } from './health-plugin';
import { recordRoutes } from './route-table';

/** Server options a service may set (proxy trust, timeouts); the logger is always the service's. */
export interface ServiceServerOptions
  extends Pick<FastifyServerOptions, 'trustProxy' | 'requestTimeout' | 'connectionTimeout'> {
  /** Options of Node's HTTP server (e.g. `connectionsCheckingInterval`, how often timeouts are checked). */
  http?: ServerOptions;
}

export interface ServiceAppOptions extends HealthPluginOptions {
  logger: Logger;
  server?: ServiceServerOptions;
}

/** The HTTP shell every service shares: its logger, the one error model, and health/metrics. */
export async function createServiceApp(options: ServiceAppOptions): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger; widening the generic keeps every plugin's types the default ones.
  const app: FastifyInstance = Fastify({
    ...options.server,
    loggerInstance: options.logger as FastifyBaseLogger,
  });
  recordRoutes(app);
  await app.register(errorHandlerPlugin);
  await app.register(healthPlugin, options);
  return app;
}
