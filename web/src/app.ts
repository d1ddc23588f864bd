import {
  createServiceApp,
  type Logger,
  type MongoFlavour,
  mongoReadiness,
  type ReadinessCheck,
  throttleRetryPlugin,
} from '@az-shop/common';
import type { FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';
import type { WebConfig } from './config';
import type { PaymentProvider } from './payments';
import { appPlugins } from './plugins/app';
import { externalPlugins } from './plugins/external';
import { publicOrigins } from './public-origins';
import routes from './routes';
import { serverOptions } from './server-options';

export interface AppDeps {
  config: WebConfig;
  logger: Logger;
  /** Opened by the caller, who also closes it. */
  db: Db;
  /** MongoDB or Cosmos DB (`MONGO_FLAVOUR`, resolved by the caller): how documents expire. Default mongo. */
  flavour?: MongoFlavour;
  /** Folder holding `assets/` from the esbuild browser build. */
  publicDir: string;
  /** The provider the caller's refund processor uses too; from config when absent. */
  paymentProvider?: PaymentProvider;
  /** More readiness checks (the caller's processors). */
  checks?: Record<string, ReadinessCheck>;
}

/**
 * The web app: shared HTTP shell (errors, health, metrics), then third-party plugins, then our own
 * decorators, then routes. Nothing listens here; main.ts does (`listenService`: the main port, and
 * the internal one when `INTERNAL_PORT` is set), and tests use `app.inject()`.
 */
export async function buildApp({
  config,
  logger,
  db,
  flavour = 'mongo',
  publicDir,
  paymentProvider,
  checks,
}: AppDeps): Promise<FastifyInstance> {
  const app = await createServiceApp({
    service: 'web',
    logger,
    server: serverOptions(config),
    accessLog: config,
    internalPort: config.INTERNAL_PORT,
    checks: {
      mongo: mongoReadiness(db),
      blob: async () => ({ ok: await app.blob.exists() }),
      ...checks,
    },
  });
  // One list of public origins: the Origin check and the auth routes' redirect URIs read the same.
  const origins = publicOrigins(config);
  await app.register(externalPlugins, { config, db, flavour, publicDir, origins });
  await app.register(appPlugins, { config, db, flavour, ...(paymentProvider && { paymentProvider }) });
  // Cosmos DB's 16500: reads run again, writes answer 503 + Retry-After (common/src/http/throttle-retry.ts).
  await app.register(throttleRetryPlugin);
  await app.register(routes, {
    origins,
    // Only the server-side page request's URL: nothing absolute from it reaches the browser.
    baseUrl: config.WEB_BASE_URL,
    sharedPageTtlMs: config.PAGE_CACHE_SECONDS * 1000,
    tagTtlMs: config.CATALOG_CACHE_SECONDS * 1000,
  });
  return app;
}
