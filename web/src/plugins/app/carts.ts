import { CARTS, type CartDocument } from '@az-shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { cachedCartCounts } from '../../cart/cached-counts';
import { type CartService, cartService } from '../../cart/service';
import type { WebConfig } from '../../config';
import { CollectionChanges } from '../../live/collection-changes';

declare module 'fastify' {
  interface FastifyInstance {
    carts: CartService;
  }
}

export const cartsPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const anonymousCartMs = config.ANONYMOUS_CART_DAYS * 24 * 60 * 60 * 1000;
    const carts = cartService(app.db, app.products, { anonymousCartMs });
    const ttlMs = config.CART_COUNT_CACHE_SECONDS * 1000;
    if (ttlMs === 0) {
      app.decorate('carts', carts);
      return;
    }
    // Another instance's (another device's) change to a cart forgets its count here.
    const changes = new CollectionChanges({
      name: 'carts',
      collection: app.db.collection<CartDocument>(CARTS),
      keyOf: (cart) => cart._id,
      log: app.log,
    });
    await changes.start();
    app.addHook('onClose', () => changes.close());
    app.decorate('carts', cachedCartCounts(carts, { ttlMs, changes }));
  },
  { name: 'az-shop-carts', dependencies: ['az-shop-mongo', 'az-shop-products'] },
);
