import {
  CARTS,
  ensureExpiryIndex,
  ORDERS,
  PARKED_EVENT_REQUESTS,
  PARKED_REQUEST_KEEP_SECONDS,
  PAYMENTS,
  PRODUCTION_REQUESTS,
  retryThrottled,
} from '@az-shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SAMPLE_KEEP_SECONDS, STOCK_SAMPLES } from '../../admin/stock-service';

/**
 * The indexes web reads by, and those that expire documents (for the flavour: common/src/mongo/expiry.ts);
 * created at start (createIndexes is idempotent), waiting out Cosmos DB's throttling as the services do.
 */
export const indexesPlugin = fp(
  async (app: FastifyInstance) => {
    const expiring = (collection: string, name: string, field: string, afterSeconds?: number) =>
      ensureExpiryIndex(
        app.db.collection(collection),
        { name, field, ...(afterSeconds !== undefined && { afterSeconds }) },
        app.mongoFlavour,
      );
    // Each on its own: under throttling one refused index is asked again, not all of them.
    const created: (() => Promise<unknown>)[] = [
      // Anonymous carts go once their `expiresAt` passes; users' carts have no `expiresAt` (nor `ttl`) and stay.
      () => expiring(CARTS, 'anonymous_expire', 'expiresAt'),
      // The back office's stock chart: samples by product and time, gone after 8 days.
      () => expiring(STOCK_SAMPLES, 'expire_at', 'at', SAMPLE_KEEP_SECONDS),
      () => app.db.collection(STOCK_SAMPLES).createIndex({ productId: 1, at: 1 }, { name: 'by_product' }),
      // Processors poll their requests by name and time; a request is honoured for a day
      // (REQUEST_WINDOW_MS) and kept a week for the record.
      () =>
        app.db
          .collection(PARKED_EVENT_REQUESTS)
          .createIndex({ partition_key: 1, processor: 1, requestedAt: 1 }, { name: 'by_processor_time' }),
      () => expiring(PARKED_EVENT_REQUESTS, 'expire_week', 'requestedAt', PARKED_REQUEST_KEEP_SECONDS),
      // "My orders", newest first.
      () => app.db.collection(ORDERS).createIndex({ userId: 1, placedAt: -1 }, { name: 'by_user_placed' }),
      // The back office's production requests, newest first.
      () =>
        app.db
          .collection(PRODUCTION_REQUESTS)
          .createIndex({ requestedAt: -1, _id: -1 }, { name: 'newest_first' }),
      // An order's payment attempts, and whether one is authorized.
      () => app.db.collection(PAYMENTS).createIndex({ orderId: 1, status: 1 }, { name: 'by_order' }),
      // At most one authorized payment per order: two attempts racing with different keys cannot
      // both be kept (the loser's authorization is voided).
      () =>
        app.db.collection(PAYMENTS).createIndex(
          { orderId: 1 },
          {
            name: 'one_authorized_per_order',
            unique: true,
            partialFilterExpression: { status: 'authorized' },
          },
        ),
    ];
    await Promise.all(created.map((create) => retryThrottled('prepare', create)));
  },
  { name: 'az-shop-indexes', dependencies: ['az-shop-mongo'] },
);
