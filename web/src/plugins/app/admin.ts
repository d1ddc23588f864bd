import type { FulfilmentDocument } from '@az-shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type AuditLog, mongoAuditLog } from '../../admin/audit';
import { type BoardDelta, type OrderBoard, toDelta } from '../../admin/board';
import { type AdminCatalog, adminCatalog } from '../../admin/catalog-service';
import { type AdminOperations, adminOperations } from '../../admin/operations-service';
import { type AdminOrders, adminOrders } from '../../admin/orders-service';
import { type AdminStock, adminStock } from '../../admin/stock-service';
import { localTraceStore, type WebConfig } from '../../config';
import { EVERY_KEY } from '../../live/change-hub';
import { LiveBoard } from '../../live/live-board';

declare module 'fastify' {
  interface FastifyInstance {
    /** The catalog as the back office changes it (every change audited). */
    adminCatalog: AdminCatalog;
    /** Who changed what in the back office (`admin_audit`). */
    audit: AuditLog;
    /** Processors' state and parked events; admin replay/discard requests (`parked_event_requests`). */
    adminOperations: AdminOperations;
    /** Any user's orders: the board, an order's detail, cancelling as an admin. */
    adminOrders: AdminOrders;
    /** The live order board, shared by every open board page of this instance. */
    orderBoard: LiveBoard<FulfilmentDocument, OrderBoard, BoardDelta>;
    /** Stock per product and its history (`stock_samples`). */
    adminStock: AdminStock;
  }
}

export const adminPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const audit = mongoAuditLog(app.db);
    app.decorate('audit', audit);
    app.decorate('adminCatalog', adminCatalog(app.db, audit));
    app.decorate('adminOperations', adminOperations(app.db, audit));
    const orders = adminOrders({
      db: app.db,
      products: app.products,
      audit,
      pickingCapacity: config.PICKING_CAPACITY,
      holdMinutes: config.HOLD_MINUTES,
      traceStore: localTraceStore(config),
    });
    app.decorate('adminOrders', orders);
    const board = new LiveBoard({
      name: 'orders',
      hub: app.live.fulfilments,
      key: EVERY_KEY,
      read: () => orders.board(),
      delta: { event: 'change', of: toDelta },
      refreshMs: config.BOARD_REFRESH_MS,
      log: app.log,
    });
    app.decorate('orderBoard', board);

    const stock = adminStock(app.db, config.STOCK_SAMPLE_SECONDS * 1000);
    app.decorate('adminStock', stock);
    // Every instance samples; the first write of a bucket is kept (see stock-service.ts).
    let sampling: Promise<void> = Promise.resolve();
    const sample = () => {
      sampling = sampling
        .then(() => stock.sample())
        .catch((error: unknown) => app.log.warn({ err: error }, 'could not sample stock'));
    };
    const sampler = setInterval(sample, config.STOCK_SAMPLE_SECONDS * 1000);
    sampler.unref();
    // At start, and done before the app is ready: no sample lands in the middle of the first requests.
    app.addHook('onReady', async () => {
      sample();
      await sampling;
    });
    app.addHook('preClose', async () => {
      clearInterval(sampler);
      board.close();
      await sampling;
    });
  },
  { name: 'az-shop-admin', dependencies: ['az-shop-mongo', 'az-shop-live', 'az-shop-products'] },
);
