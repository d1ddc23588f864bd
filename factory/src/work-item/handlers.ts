import type { ProcessorEvent } from '@az-shop/common';
import {
  FULFILMENT_STAGE,
  type FulfilmentDocument,
  PRODUCTS,
  ProductionRequestDocument,
  validateDocument,
} from '@az-shop/common';
import type { Document } from 'mongodb';
import type { FactoryDeps } from '../deps';
import { workItemStore } from './store';
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

  return {
    store,

    /** A back-office production request → one work item, queued for capacity (or Failed with a reason). */
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
    },

    /** A fulfilment went Backordered → one work item per short line, for that line's quantity. */
    async onFulfilmentBackordered(event: ProcessorEvent): Promise<void> {
      const fulfilment = event.fullDocument as FulfilmentDocument | null;
      if (!fulfilment || fulfilment.stage !== FULFILMENT_STAGE.Backordered) return;
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
    },
  };
}

export type WorkItemHandlers = ReturnType<typeof workItemHandlers>;
