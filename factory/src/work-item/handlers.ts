import type { ProcessorEvent } from '@az-shop/common';
import {
  FULFILMENT_STAGE,
  FULFILMENTS,
  type FulfilmentDocument,
  PRODUCTS,
  ProductionRequestDocument,
  validateDocument,
} from '@az-shop/common';
import type { Document } from 'mongodb';
import type { FactoryDeps } from '../deps';
import {
  isUndecidedBackorder,
  NO_LONGER_WAITING,
  openDemand,
  TO_DELIVER,
  workInProgress,
} from './backorder-demand';
import { fromDocument, workItemStore } from './store';
import type { WorkItemCommand } from './types';

/** Deterministic work item ids: one per production request, one per backordered fulfilment line. */
export const workItemIds = {
  forRequest: (requestId: string) => `pr:${requestId}`,
  forBackorder: (fulfilmentId: string, productId: string) => `bo:${fulfilmentId}:${productId}`,
};

/**
 * The factory's reactions to other services' writes (registered in ../processors.ts). A work item is
 * created once however often its event is delivered: its `_id` is derived from the source.
 */
export function workItemHandlers(deps: FactoryDeps) {
  const { db, logger, clock } = deps;
  const now = () => clock.now();
  const store = workItemStore(db);

  async function productKnown(productId: string): Promise<boolean> {
    if (!productId) return false;
    return (await db.collection(PRODUCTS).countDocuments({ _id: productId } as Document, { limit: 1 })) > 0;
  }

  async function create(command: Extract<WorkItemCommand, { type: 'CreateWorkItem' }>): Promise<void> {
    const result = await store.execute(command.id, command, now);
    if (result.state?.stage === 'Failed' && result.events.length > 0) {
      logger.warn({ workItemId: command.id, reason: result.state.failure?.reason }, 'work item failed');
    }
  }

  async function createBackorderItems(fulfilment: FulfilmentDocument): Promise<void> {
    for (const line of fulfilment.shortLines ?? []) {
      await create({
        type: 'CreateWorkItem',
        id: workItemIds.forBackorder(fulfilment._id, line.productId),
        productId: line.productId,
        warehouse: fulfilment.warehouse,
        qty: line.qty,
        source: { kind: 'backorder', fulfilmentId: fulfilment._id, productId: line.productId },
        productKnown: await productKnown(line.productId),
      });
    }
  }

  /**
   * The fulfilment no longer waits for what its backorder asked for: each of its items not started is
   * decided by the rule of docs/domain.md, from the other open backorders (ordering's `fulfilments`,
   * read only) and the product's other work items. Safe to repeat: an item is decided once.
   */
  async function releaseBackorders(fulfilment: FulfilmentDocument): Promise<void> {
    const ids = (fulfilment.lines ?? []).map((line) =>
      workItemIds.forBackorder(fulfilment._id, line.productId),
    );
    const items = (await store.collection.find({ _id: { $in: ids } }).toArray()).map(
      (document) => fromDocument(document).state,
    );
    for (const item of items.filter(isUndecidedBackorder)) {
      const { productId, warehouse } = item;
      const backorders = await db
        .collection<FulfilmentDocument>(FULFILMENTS)
        .find(
          { stage: FULFILMENT_STAGE.Backordered, warehouse, 'shortLines.productId': productId },
          { projection: { _id: 1, stage: 1, shortLines: 1 } },
        )
        .toArray();
      const others = (
        await store.collection.find({ productId, warehouse, stage: { $in: [...TO_DELIVER] } }).toArray()
      ).map((document) => fromDocument(document).state);
      const stoppedWaiting = await fulfilmentsNoLongerWaiting(
        others
          .filter(isUndecidedBackorder)
          .flatMap((other) => (other.source.kind === 'backorder' ? [other.source.fulfilmentId] : [])),
      );
      const result = await store.execute(
        item._id,
        {
          type: 'ReleaseBackorder',
          fulfilmentStage: fulfilment.stage,
          openDemand: openDemand(backorders, productId, fulfilment._id),
          otherWork: workInProgress(others, item._id, stoppedWaiting),
        },
        now,
      );
      if (result.events.length > 0) {
        logger.info(
          { workItemId: item._id, stage: result.state?.stage, qty: result.state?.qty },
          'backorder released',
        );
      }
    }
  }

  async function fulfilmentsNoLongerWaiting(fulfilmentIds: string[]): Promise<Set<string>> {
    if (fulfilmentIds.length === 0) return new Set();
    const ended = await db
      .collection<FulfilmentDocument>(FULFILMENTS)
      .find(
        { _id: { $in: fulfilmentIds }, stage: { $in: [...NO_LONGER_WAITING] } },
        { projection: { _id: 1 } },
      )
      .toArray();
    return new Set(ended.map((document) => document._id));
  }

  return {
    store,

    /**
     * A back-office production request → one work item, queued for capacity (or Failed with a
     * reason). Its update with `cancelRequestedAt` → the item cancelled if not started, else refused.
     */
    async onProductionRequested(event: ProcessorEvent): Promise<void> {
      const raw = event.fullDocument;
      if (!raw) return;
      const valid = validateDocument<ProductionRequestDocument>(ProductionRequestDocument, raw);
      const productId = typeof raw.productId === 'string' ? raw.productId : '';
      const qty = Number(raw.qty);
      const command: Extract<WorkItemCommand, { type: 'CreateWorkItem' }> = {
        type: 'CreateWorkItem',
        id: workItemIds.forRequest(String(raw._id)),
        productId,
        warehouse: typeof raw.warehouse === 'string' && raw.warehouse ? raw.warehouse : 'main',
        qty: Number.isFinite(qty) ? qty : 0,
        source: { kind: 'production_request', requestId: String(raw._id) },
        productKnown: await productKnown(productId),
      };
      await create(command);
      if (!valid.ok)
        logger.warn({ requestId: String(raw._id), reason: valid.reason }, 'bad production request');
      // Created first, then cancelled: a cancellation seen before the item existed is still decided.
      if (raw.cancelRequestedAt) {
        const requestedBy = typeof raw.cancelRequestedBy === 'string' ? raw.cancelRequestedBy : undefined;
        const result = await store.execute(
          command.id,
          { type: 'CancelRequest', ...(requestedBy && { requestedBy }) },
          now,
        );
        if (result.events.length > 0) {
          logger.info(
            { workItemId: command.id, stage: result.state?.stage },
            'production request cancellation decided',
          );
        }
      }
    },

    /**
     * A fulfilment changed stage. Backordered → one work item per short line, for that line's
     * quantity. Ended or shipped → its backorder items not yet started are cancelled or kept for other
     * demand (`releaseBackorders`). One processor for both, so a fulfilment's events keep their order.
     */
    async onFulfilmentChanged(event: ProcessorEvent): Promise<void> {
      const fulfilment = event.fullDocument as FulfilmentDocument | null;
      if (!fulfilment) return;
      if (fulfilment.stage === FULFILMENT_STAGE.Backordered) await createBackorderItems(fulfilment);
      else if (NO_LONGER_WAITING.includes(fulfilment.stage)) await releaseBackorders(fulfilment);
    },
  };
}

export type WorkItemHandlers = ReturnType<typeof workItemHandlers>;
