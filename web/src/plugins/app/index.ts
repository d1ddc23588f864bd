import type { MongoFlavour } from '@az-shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from 'mongodb';
import type { WebConfig } from '../../config';
import type { PaymentProvider } from '../../payments';
import { adminPlugin } from './admin';
import { authPlugin } from './auth';
import { blobPlugin } from './blob';
import { cartsPlugin } from './carts';
import { indexesPlugin } from './indexes';
import { livePlugin } from './live';
import { mongoPlugin } from './mongo';
import { ordersPlugin } from './orders';
import { personalPagesPlugin } from './personal-pages';
import { productionPlugin } from './production';
import { productsPlugin } from './products';
import { stockPlugin } from './stock';

export interface AppPluginsOptions {
  config: WebConfig;
  db: Db;
  flavour: MongoFlavour;
  /** Built by the caller when it also runs the refund processor with it; from config otherwise. */
  paymentProvider?: PaymentProvider;
}

/** The app's own shared things: connections, repositories and auth, as decorators. */
export const appPlugins = fp<AppPluginsOptions>(
  async (app: FastifyInstance, { config, db, flavour, paymentProvider }) => {
    await app.register(mongoPlugin, { db, flavour });
    await app.register(indexesPlugin);
    await app.register(blobPlugin, {
      connectionString: config.AZURE_STORAGE_CONNECTION_STRING,
      containerName: config.BLOB_CONTAINER,
    });
    await app.register(productsPlugin, { config });
    await app.register(stockPlugin);
    await app.register(cartsPlugin, { config });
    await app.register(ordersPlugin, { config, ...(paymentProvider && { paymentProvider }) });
    await app.register(livePlugin, { config });
    await app.register(personalPagesPlugin, { config });
    await app.register(authPlugin, { config });
    await app.register(adminPlugin, { config });
    await app.register(productionPlugin, { config });
  },
  { name: 'az-shop-app-plugins' },
);
