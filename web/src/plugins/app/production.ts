import { WORK_ITEMS, type WorkItemDocument } from '@az-shop/common';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { type BoardItem, boardItem, type FactoryBoard } from '../../admin/factory-board';
import { boardReader } from '../../admin/factory-board-reader';
import { type ProductionRequests, productionRequests } from '../../admin/production-service';
import type { WebConfig } from '../../config';
import { ChangeHub } from '../../live/change-hub';
import { LiveBoard } from '../../live/live-board';

declare module 'fastify' {
  interface FastifyInstance {
    /** Back-office production requests (web writes them and their cancellation marks; audited). */
    productionRequests: ProductionRequests;
    /** The factory board: snapshots and this instance's one live feed of work item changes. */
    factoryBoard: LiveBoard<WorkItemDocument, FactoryBoard, BoardItem>;
    /** onRequest hook of the boards' event streams (factory and orders): BOARD_STREAMS_PER_ADMIN pages at once per admin. */
    boardStreamLimit: onRequestAsyncHookHandler;
  }
}

/** The board follows every work item: one key for all. */
const ALL = 'all';

export const productionPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    app.decorate('productionRequests', productionRequests(app.db, app.audit, config.WAREHOUSE));
    // Its own hub, opened on the first board page: the storefront's hubs stay as they are.
    const hub = new ChangeHub<WorkItemDocument>({
      name: WORK_ITEMS,
      collection: app.db.collection<WorkItemDocument>(WORK_ITEMS),
      keyOf: () => ALL,
      log: app.log,
    });
    const feed = new LiveBoard({
      name: 'factory',
      hub,
      key: ALL,
      read: boardReader(app.db, config.FACTORY_CAPACITY),
      delta: { event: 'item', of: (doc: WorkItemDocument) => boardItem(doc, new Date()) },
      refreshMs: config.BOARD_REFRESH_MS,
      log: app.log,
    });
    app.decorate('factoryBoard', feed);
    // Counted apart from the storefront's streams: an admin watching many boards keeps their own.
    app.decorate('boardStreamLimit', app.liveStreamLimitFor('board', config.BOARD_STREAMS_PER_ADMIN));
    app.addHook('onClose', async () => {
      feed.close();
      await hub.close();
    });
  },
  { name: 'az-shop-production', dependencies: ['az-shop-mongo', 'az-shop-admin', 'az-shop-live'] },
);
