import {
  baseConfigProperties,
  connectServiceMongo,
  createLogger,
  createServiceApp,
  createShutdown,
  listenService,
  loadConfig,
  mongoReadiness,
  serviceReactionsFromSettings,
  systemClock,
} from '@az-shop/common';
import { Type } from 'typebox';
import { orderingConfigProperties } from './config';
import { registerOrderingProcessors } from './processors';

// Composition root: config, connections, processors, HTTP.
const config = loadConfig(
  Type.Object({
    ...baseConfigProperties,
    ...orderingConfigProperties,
    ORDERING_PORT: Type.Integer({ default: 9090 }),
  }),
);
const logger = createLogger('ordering', config);
const shutdown = createShutdown(logger);

// Connected, and the flavour (mongo or Cosmos DB, MONGO_FLAVOUR) its processors run in.
const mongo = await connectServiceMongo(config, 'ordering', logger);
shutdown.add('mongo', mongo.close);

// Under a blue-green release, only the active colour's processors run (docs/deploy.md).
const reactions = serviceReactionsFromSettings(
  { db: mongo.db, logger, settings: config, mode: mongo.flavour },
  (options) => registerOrderingProcessors({ db: mongo.db, logger, config, clock: systemClock }, options),
);
await reactions.start();
shutdown.add('processors', reactions.stop);

const app = await createServiceApp({
  service: 'ordering',
  logger,
  accessLog: config,
  checks: { mongo: mongoReadiness(mongo.db, mongo.flavour), ...reactions.checks() },
  internalPort: config.INTERNAL_PORT,
});
shutdown.add('http', () => app.close());
logger.info(await listenService(app, { port: config.ORDERING_PORT, host: config.HOST }), 'ordering ready');
