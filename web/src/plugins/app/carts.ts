import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type CartService, cartService } from '../../cart/service';
import type { WebConfig } from '../../config';

declare module 'fastify' {
  interface FastifyInstance {
    carts: CartService;
  }
}

export const cartsPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const anonymousCartMs = config.ANONYMOUS_CART_DAYS * 24 * 60 * 60 * 1000;
    app.decorate('carts', cartService(app.db, app.products, { anonymousCartMs }));
  },
  { name: 'az-shop-carts', dependencies: ['az-shop-mongo', 'az-shop-products'] },
);
