import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type CartService, cartService } from '../../cart/service';

declare module 'fastify' {
  interface FastifyInstance {
    carts: CartService;
  }
}

export const cartsPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('carts', cartService(app.db, app.products));
  },
  { name: 'az-shop-carts', dependencies: ['az-shop-mongo', 'az-shop-products'] },
);
