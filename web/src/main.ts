import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  connectServiceMongo,
  createLogger,
  createShutdown,
  listenService,
  loadConfig,
  mongoReadiness,
  serviceReactionsFromSettings,
} from '@az-shop/common';
import { buildApp } from './app';
import { webConfigSchema, webProductionRules } from './config';
import { seedDemoShop } from './demo';
import { type PaymentProvider, paymentProviderFor } from './payments';
import { registerWebProcessors } from './processors';
import { startupClock } from './startup/clock';

const clock = startupClock();
const config = loadConfig(webConfigSchema, { productionRules: webProductionRules });
const paymentProvider = providerOrExit();
const logger = createLogger('web', config);
const shutdown = createShutdown(logger);
clock.mark('config');

// Connected, and the flavour (mongo or Cosmos DB, MONGO_FLAVOUR) its processors run in.
const mongo = await connectServiceMongo(config, 'az-shop-web', logger);
shutdown.add('mongo', () => mongo.close());
clock.mark('mongo');

// The bundle is dist/main.js; esbuild writes the browser assets to dist/public/assets beside it.
const publicDir = config.WEB_PUBLIC_DIR ?? fileURLToPath(new URL('./public', import.meta.url));
// Under a blue-green release, only the active colour's processors run (docs/deploy.md); both serve pages.
const reactions = serviceReactionsFromSettings(
  { db: mongo.db, logger, settings: config, mode: mongo.flavour },
  (options) => registerWebProcessors({ db: mongo.db, logger, provider: paymentProvider }, options),
);
// The processors and the app start side by side: neither needs the other, and each waits on Mongo
// round trips (leases, change streams, indexes) more than on the CPU. Closed in reverse: app first.
const [, app] = await Promise.all([
  reactions.start(),
  buildApp({
    config,
    logger,
    db: mongo.db,
    flavour: mongo.flavour,
    publicDir,
    paymentProvider,
    checks: { mongo: mongoReadiness(mongo.db, mongo.flavour), ...reactions.checks() },
  }),
]);
shutdown.add('processors', reactions.stop);
shutdown.add('http', () => app.close());
clock.mark('processorsAndApp');

if (config.DEMO_SEED) {
  // The images go into the container: wait for the storage (Azurite may be restarting beside web).
  await app.blobContainerReady;
  const seeded = await seedDemoShop({
    db: mongo.db,
    container: app.blob,
    logger,
    warehouse: config.WAREHOUSE,
  });
  logger.info(seeded, 'demo shop seeded (zeros: it was already there)');
  clock.mark('seed');
}

const addresses = await listenService(app, { port: config.WEB_PORT, host: config.HOST });
clock.mark('listen');
logger.info({ url: config.WEB_BASE_URL, ...addresses, startupMs: clock.phases() }, 'web ready');
// Each plugin's own start-up time (avvio's tree), when asked for with LOG_LEVEL=debug.
if (logger.isLevelEnabled('debug')) logger.debug(`plugins:\n${app.printPlugins()}`);

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
