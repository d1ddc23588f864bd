import { type CatalogDocument, PRODUCTS } from '@az-shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { WebConfig } from '../../config';
import { CollectionChanges } from '../../live/collection-changes';
import { cachedProductRepository } from '../../products/cached-repository';
import { mongoProductRepository, type ProductRepository } from '../../products/repository';

declare module 'fastify' {
  interface FastifyInstance {
    products: ProductRepository;
    /** Fires when the catalog changes (a change stream on `products`): caches of it empty themselves. */
    catalogChanges: CollectionChanges<CatalogDocument>;
  }
}

export const productsPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const changes = new CollectionChanges({
      name: 'products',
      collection: app.db.collection<CatalogDocument>(PRODUCTS),
      // Any change concerns every cache of the catalog (lists, categories, shared pages).
      keyOf: () => 'catalog',
      log: app.log,
    });
    await changes.start();
    app.addHook('onClose', () => changes.close());
    app.decorate('catalogChanges', changes);
    app.decorate(
      'products',
      cachedProductRepository(mongoProductRepository(app.db), {
        ttlMs: config.CATALOG_CACHE_SECONDS * 1000,
        changes,
      }),
    );
  },
  { name: 'az-shop-products', dependencies: ['az-shop-mongo'] },
);
