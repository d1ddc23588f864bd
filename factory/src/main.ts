import {
  baseConfigProperties,
  connectMongo,
  createLogger,
  createServiceApp,
  createShutdown,
  loadConfig,
  mongoReadiness,
} from '@az-shop/common';
import { Type } from 'typebox';

// Composition root: config, connections, processors, HTTP.
const config = loadConfig(
  Type.Object({ ...baseConfigProperties, FACTORY_PORT: Type.Integer({ default: 9091 }) }),
);
const logger = createLogger('factory', config);
const shutdown = createShutdown(logger);

const mongo = await connectMongo({ ...config, appName: 'factory', logger });
shutdown.add('mongo', mongo.close);

const app = await createServiceApp({ logger, checks: { mongo: mongoReadiness(mongo.db) } });
await app.listen({ port: config.FACTORY_PORT, host: config.HOST });
shutdown.add('http', () => app.close());
logger.info({ port: config.FACTORY_PORT }, 'factory ready');
