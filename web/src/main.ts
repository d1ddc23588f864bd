import { fileURLToPath } from 'node:url';
import { connectMongo, createLogger, createShutdown, loadConfig } from '@az-shop/common';
import { buildApp } from './app';
import { webConfigSchema, webProductionRules } from './config';
import { seedDemoShop } from './demo';

const config = loadConfig(webConfigSchema, { productionRules: webProductionRules });
const logger = createLogger('web', config);
const shutdown = createShutdown(logger);

const mongo = await connectMongo({ MONGO_DB: config.MONGO_DB, appName: 'az-shop-web', logger });
shutdown.add('mongo', () => mongo.close());

// The bundle is dist/main.js; esbuild writes the browser assets to dist/public/assets beside it.
const publicDir = config.WEB_PUBLIC_DIR ?? fileURLToPath(new URL('./public', import.meta.url));
const app = await buildApp({ config, logger, db: mongo.db, publicDir });
shutdown.add('http', () => app.close());

if (config.DEMO_SEED) {
  const seeded = await seedDemoShop({
    db: mongo.db,
    container: app.blob,
    logger,
    warehouse: config.WAREHOUSE,
  });
  logger.info(seeded, 'demo shop seeded (zeros: it was already there)');
}

await app.listen({ port: config.WEB_PORT, host: config.HOST });
logger.info({ url: config.WEB_BASE_URL, port: config.WEB_PORT }, 'web ready');
