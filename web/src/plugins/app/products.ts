import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { mongoProductRepository, type ProductRepository } from '../../products/repository';

declare module 'fastify' {
  interface FastifyInstance {
    products: ProductRepository;
  }
}

export const productsPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('products', mongoProductRepository(app.db));
  },
  { name: 'az-shop-products', dependencies: ['az-shop-mongo'] },
);
