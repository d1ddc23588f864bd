import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from 'mongodb';
import type { WebConfig } from '../../config';
import { authPlugin } from './auth';
import { blobPlugin } from './blob';
import { mongoPlugin } from './mongo';
import { productsPlugin } from './products';

export interface AppPluginsOptions {
  config: WebConfig;
  db: Db;
}

/** The app's own shared things: connections, repositories and auth, as decorators. */
export const appPlugins = fp<AppPluginsOptions>(
  async (app: FastifyInstance, { config, db }) => {
    await app.register(mongoPlugin, { db });
    await app.register(blobPlugin, {
      connectionString: config.AZURE_STORAGE_CONNECTION_STRING,
      containerName: config.BLOB_CONTAINER,
    });
    await app.register(productsPlugin);
    await app.register(authPlugin, { config });
  },
  { name: 'az-shop-app-plugins' },
);
