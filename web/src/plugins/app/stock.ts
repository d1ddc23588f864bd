import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type StockAvailability, stockAvailability } from '../../stock/availability';

declare module 'fastify' {
  interface FastifyInstance {
    stock: StockAvailability;
  }
}

export const stockPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('stock', stockAvailability(app.db));
  },
  { name: 'az-shop-stock', dependencies: ['az-shop-mongo'] },
);
