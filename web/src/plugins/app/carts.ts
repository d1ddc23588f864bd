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
    /**
     * Which cart changed, through any instance or device (a change stream on `carts`); null when no
     * cache of carts is on (the cart count's, the personal pages').
     */
    cartChanges: CollectionChanges<CartDocument> | null;
  }
}

export const cartsPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const anonymousCartMs = config.ANONYMOUS_CART_DAYS * 24 * 60 * 60 * 1000;
    const carts = cartService(app.db, app.products, { anonymousCartMs });
    const ttlMs = config.CART_COUNT_CACHE_SECONDS * 1000;
    const changes =
      ttlMs > 0 || config.PERSONAL_PAGE_CACHE_SECONDS > 0
        ? new CollectionChanges({
            name: 'carts',
            collection: app.db.collection<CartDocument>(CARTS),
            keyOf: (cart) => cart._id,
            log: app.log,
          })
        : null;
    if (changes) {
      await changes.start();
      app.addHook('onClose', () => changes.close());
    }
    app.decorate('cartChanges', changes);
    app.decorate(
      'carts',
      ttlMs > 0 ? cachedCartCounts(carts, { ttlMs, ...(changes && { changes }) }) : carts,
    );
  },
  { name: 'az-shop-carts', dependencies: ['az-shop-mongo', 'az-shop-products'] },
);
