import type { Logger } from '../logger';
import { connectMongo, type MongoConnection } from './connect-mongo';
import { type MongoFlavour, type MongoFlavourSetting, resolveMongoFlavour } from './flavour';

/**
 * A service's connection, the same way in every composition root: connected as `appName`, with the
 * flavour (MONGO_FLAVOUR, resolved once: mongo or Cosmos DB) that its processors open their streams in.
 */
export async function connectServiceMongo(
  settings: { MONGO_DB: string; MONGO_FLAVOUR?: MongoFlavourSetting },
  appName: string,
  logger: Logger,
): Promise<MongoConnection & { flavour: MongoFlavour }> {
  const connection = await connectMongo({ MONGO_DB: settings.MONGO_DB, appName, logger });
  try {
    const flavour = await resolveMongoFlavour({
      setting: settings.MONGO_FLAVOUR,
      connectionString: settings.MONGO_DB,
      db: connection.db,
      logger,
    });
    return { ...connection, flavour };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
