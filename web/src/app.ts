import { createServiceApp, type Logger, mongoReadiness } from '@az-shop/common';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Db } from 'mongodb';
import type { WebConfig } from './config';
import { appPlugins } from './plugins/app';
import { externalPlugins } from './plugins/external';
import routes from './routes';

export interface AppDeps {
  config: WebConfig;
  logger: Logger;
  /** Opened by the caller, who also closes it. */
  db: Db;
  /** Folder holding `assets/` from the esbuild browser build. */
  publicDir: string;
  /** Sees each route as it is declared (the fuzz suite generates requests from their schemas). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * The web app: shared HTTP shell (errors, health, metrics), then third-party plugins, then our own
 * decorators, then routes. Nothing listens here; main.ts does, and tests use `app.inject()`.
 */
export async function buildApp({
  config,
  logger,
  db,
  publicDir,
  onRoute,
}: AppDeps): Promise<FastifyInstance> {
  const app = await createServiceApp({
    logger,
    checks: {
      mongo: mongoReadiness(db),
      blob: async () => ({ ok: await app.blob.exists() }),
    },
  });
  if (onRoute) app.addHook('onRoute', onRoute);
  await app.register(externalPlugins, { config, publicDir });
  await app.register(appPlugins, { config, db });
  await app.register(routes, {
    baseUrl: config.WEB_BASE_URL,
    sharedPageTtlMs: config.PAGE_CACHE_SECONDS * 1000,
  });
  return app;
}
