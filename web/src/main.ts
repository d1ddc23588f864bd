import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  connectMongo,
  createLogger,
  createShutdown,
  listenService,
  loadConfig,
  mongoReadiness,
  resolveMongoFlavour,
  serviceReactionsFromSettings,
} from '@az-shop/common';
import { buildApp } from './app';
import { webConfigSchema, webProductionRules } from './config';
import { seedDemoShop } from './demo';
import { type PaymentProvider, paymentProviderFor } from './payments';
import { registerWebProcessors } from './processors';

const config = loadConfig(webConfigSchema, { productionRules: webProductionRules });
const paymentProvider = providerOrExit();
const logger = createLogger('web', config);
const shutdown = createShutdown(logger);

const mongo = await connectMongo({ MONGO_DB: config.MONGO_DB, appName: 'az-shop-web', logger });
shutdown.add('mongo', () => mongo.close());
// mongo or Cosmos DB (MONGO_FLAVOUR): the processors open their streams in that mode.
const flavour = await resolveMongoFlavour({
  setting: config.MONGO_FLAVOUR,
  connectionString: config.MONGO_DB,
  db: mongo.db,
  logger,
});

// The bundle is dist/main.js; esbuild writes the browser assets to dist/public/assets beside it.
const publicDir = config.WEB_PUBLIC_DIR ?? fileURLToPath(new URL('./public', import.meta.url));
// Under a blue-green release, only the active colour's processors run (docs/deploy.md); both serve pages.
const reactions = serviceReactionsFromSettings(
  { db: mongo.db, logger, settings: config, mode: flavour },
  (options) => registerWebProcessors({ db: mongo.db, logger, provider: paymentProvider }, options),
);
await reactions.start();
shutdown.add('processors', reactions.stop);

const app = await buildApp({
  config,
  logger,
  db: mongo.db,
  publicDir,
  paymentProvider,
  checks: { mongo: mongoReadiness(mongo.db, flavour), ...reactions.checks() },
});
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

const addresses = await listenService(app, { port: config.WEB_PORT, host: config.HOST });
logger.info({ url: config.WEB_BASE_URL, ...addresses }, 'web ready');

/** A provider's missing settings stop the process like any bad variable: one line each, exit 1. */
function providerOrExit(): PaymentProvider {
  try {
    return paymentProviderFor(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
