import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { WebConfig } from '../../config';
import { cachedProductRepository } from '../../products/cached-repository';
import { mongoProductRepository, type ProductRepository } from '../../products/repository';

declare module 'fastify' {
  interface FastifyInstance {
    products: ProductRepository;
  }
}

export const productsPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    app.decorate(
      'products',
      cachedProductRepository(mongoProductRepository(app.db), { ttlMs: config.CATALOG_CACHE_SECONDS * 1000 }),
    );
  },
  { name: 'az-shop-products', dependencies: ['az-shop-mongo'] },
);
