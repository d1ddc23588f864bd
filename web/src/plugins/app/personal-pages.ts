import {
  ORDER_CANCELLATIONS,
  ORDERS,
  type OrderCancellationDocument,
  type OrderDocument,
  PAYMENTS,
  type PaymentDocument,
} from '@az-shop/common';
import { getOrCreate, metricsRegistry } from '@az-shop/common/http/metrics';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import { cartId } from '../../cart/rules';
import type { WebConfig } from '../../config';
import { EVERY_KEY } from '../../live/change-hub';
import { CollectionChanges } from '../../live/collection-changes';
import { PersonalPages } from '../../ssr/personal-pages';

declare module 'fastify' {
  interface FastifyInstance {
    /** A shopper's own pages kept for repeat views (ssr/personal-pages.ts); null when turned off. */
    personalPages: PersonalPages | null;
  }
}

/** Every open app's cache (tests run several apps in one process; `/metrics` is the process's). */
const caches = new Set<PersonalPages>();

/** A gauge that sums `measure` over every open app's cache when scraped. */
function cacheGauge(name: string, help: string, measure: (cache: PersonalPages) => number): void {
  getOrCreate(
    metricsRegistry,
    name,
    () =>
      new Gauge({
        name,
        help,
        registers: [metricsRegistry],
        collect() {
          this.set([...caches].reduce((total, cache) => total + measure(cache), 0));
        },
      }),
  );
}

/**
 * The personal-page cache and what empties it: a change stream per collection a personal page reads
 * (carts; orders, payments and cancellations here; fulfilments through the live updates' stream)
 * drops the pages of the shopper it concerns, a catalog change drops them all.
 */
export const personalPagesPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const ttlMs = config.PERSONAL_PAGE_CACHE_SECONDS * 1000;
    if (ttlMs === 0) {
      app.decorate('personalPages', null);
      return;
    }
    const pages = new PersonalPages({ ttlMs });
    // A shopper's pages are kept under their cart id, which is `user:<sub>` for every signed-in page.
    const forgetUser = (userId: string) => pages.forgetOwner(cartId({ kind: 'user', sub: userId }));
    app.catalogChanges.onChange(() => pages.clear());
    app.cartChanges?.onChange((id) => pages.forgetOwner(id));
    // The three streams open together: one after the other, each open's round trips added to start-up.
    const streams = [ORDERS, PAYMENTS, ORDER_CANCELLATIONS].map((name) => {
      const changes = new CollectionChanges<OrderDocument | PaymentDocument | OrderCancellationDocument>({
        name,
        collection: app.db.collection(name),
        keyOf: (doc) => doc.userId,
        log: app.log,
      });
      changes.onChange(forgetUser);
      app.addHook('onClose', () => changes.close());
      return changes;
    });
    await Promise.all(streams.map((changes) => changes.start()));
    // The factory and ordering move an order on: its fulfilment carries the user.
    await app.live.fulfilments.subscribe(EVERY_KEY, (fulfilment) => forgetUser(fulfilment.userId));
    caches.add(pages);
    app.addHook('onClose', async () => {
      caches.delete(pages);
    });
    // What the kept pages hold, for the operators: a bounded cache is still memory to watch.
    cacheGauge('web_personal_pages', "Shoppers' own pages kept for repeat views", (cache) => cache.pages);
    cacheGauge('web_personal_pages_bytes', 'Bytes of those pages', (cache) => cache.bytes);
    app.decorate('personalPages', pages);
  },
  {
    name: 'az-shop-personal-pages',
    dependencies: ['az-shop-mongo', 'az-shop-products', 'az-shop-carts', 'az-shop-live'],
  },
);
