import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logger';
import { errorHandlerPlugin } from './error-handler';
import { type HealthPluginOptions, healthPlugin } from './health-plugin';
import { recordRoutes } from './route-table';

export interface ServiceAppOptions extends HealthPluginOptions {
  logger: Logger;
}

/** The HTTP shell every service shares: its logger, the one error model, and health/metrics. */
export async function createServiceApp(options: ServiceAppOptions): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger; widening the generic keeps every plugin's types the default ones.
  const app: FastifyInstance = Fastify({ loggerInstance: options.logger as FastifyBaseLogger });
  recordRoutes(app);
  await app.register(errorHandlerPlugin);
  await app.register(healthPlugin, options);
  return app;
}
