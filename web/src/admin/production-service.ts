import { randomUUID } from 'node:crypto';
import {
  Errors,
  PRODUCTION_REQUESTS,
  PRODUCTS,
  type ProductDocument,
  type ProductionRequestDocument,
  traceparentField,
  WORK_ITEM_STAGE,
  WORK_ITEMS,
  type WorkItemDocument,
  withTraceparent,
} from '@az-shop/common';
import type { Collection, Db } from 'mongodb';
import type { Actor } from './actor';
import type { AuditLog } from './audit';

/** A production request as the back office sees it, with its state derived from its work item. */
export type ProductionRequestState = 'Requested' | 'InProduction' | 'Done' | 'Cancelled' | 'Failed';

export interface ProductionRequestView {
  id: string;
  productId: string;
  qty: number;
  warehouse: string;
  requestedAt: string;
  requestedBy?: string;
  state: ProductionRequestState;
  /** The work item's stage, once the factory has made it. */
  stage?: string;
  unitsDone: number;
  cancelRequestedAt?: string;
  /** Why the factory did not cancel it (its build had started). */
  cancelRefused?: string;
  /** Why it was cancelled or failed. */
  reason?: string;
}

/**
 * The factory's work item id of a production request (docs/domain.md: `pr:<requestId>`): web reads
 * work items by it, never writes them.
 */
export const workItemIdOf = (requestId: string) => `pr:${requestId}`;

const NOT_STARTED: readonly string[] = [WORK_ITEM_STAGE.New, WORK_ITEM_STAGE.FactoryReady];

/** A request's state from its work item (none yet: the factory has not seen it). Pure. */
export function requestState(item: Pick<WorkItemDocument, 'stage'> | undefined): ProductionRequestState {
  if (!item || NOT_STARTED.includes(item.stage)) return 'Requested';
  switch (item.stage) {
    case WORK_ITEM_STAGE.InventoryAvailable:
      return 'Done';
    case WORK_ITEM_STAGE.Cancelled:
      return 'Cancelled';
    case WORK_ITEM_STAGE.Failed:
      return 'Failed';
    default:
      return 'InProduction';
  }
}

/** Whether the back office may still ask to cancel it: nothing built yet and not already ended. Pure. */
export function cancellable(item: Pick<WorkItemDocument, 'stage'> | undefined): boolean {
  return requestState(item) === 'Requested';
}

export function toRequestView(
  request: ProductionRequestDocument,
  item: WorkItemDocument | undefined,
): ProductionRequestView {
  const state = requestState(item);
  const reason = item?.cancellation?.reason ?? item?.failure?.reason;
  return {
    id: request._id,
    productId: request.productId,
    qty: request.qty,
    warehouse: request.warehouse,
    requestedAt: request.requestedAt.toISOString(),
    ...(request.requestedBy && { requestedBy: request.requestedBy }),
    state,
    ...(item && { stage: item.stage }),
    // One work item per request, delivered at once: its units are done when it reaches stock.
    unitsDone: state === 'Done' ? (item?.qty ?? request.qty) : 0,
    ...(request.cancelRequestedAt && { cancelRequestedAt: request.cancelRequestedAt.toISOString() }),
    ...(item?.cancelRefused && { cancelRefused: item.cancelRefused.reason }),
    ...(reason && { reason }),
  };
}

export interface ProductionRequests {
  create(actor: Actor, input: { productId: string; qty: number }): Promise<ProductionRequestView>;
  /** Newest first. */
  list(options: { limit: number }): Promise<ProductionRequestView[]>;
  /** Marks the request; the factory cancels its work item if not started (docs/domain.md). */
  cancel(actor: Actor, id: string, reason?: string): Promise<ProductionRequestView>;
}

/** Production requests: web writes them (and their cancellation marks), the factory builds them. */
export function productionRequests(
  db: Db,
  audit: AuditLog,
  warehouse: string,
  now = () => new Date(),
): ProductionRequests {
  const requests: Collection<ProductionRequestDocument> = db.collection(PRODUCTION_REQUESTS);
  const workItems: Collection<WorkItemDocument> = db.collection(WORK_ITEMS);
  const products: Collection<ProductDocument> = db.collection(PRODUCTS);

  async function itemOf(requestId: string): Promise<WorkItemDocument | undefined> {
    return (await workItems.findOne({ _id: workItemIdOf(requestId) })) ?? undefined;
  }

  async function find(id: string): Promise<ProductionRequestDocument> {
    const request = await requests.findOne({ _id: id });
    if (!request) throw new Errors.NotFound('Production request');
    return request;
  }

  return {
    async create(actor, { productId, qty }) {
      const product = await products.findOne({ _id: productId, kind: 'product' });
      if (!product) throw new Errors.NotFound('Product');
      if (product.archivedAt) throw new Errors.Conflict('This product is archived: restore it first');
      const at = now();
      const request: ProductionRequestDocument = {
        _id: randomUUID(),
        partition_key: productId,
        productId,
        warehouse,
        qty,
        requestedAt: at,
        requestedBy: actor.email ?? actor.sub,
      };
      await requests.insertOne(withTraceparent(request));
      await audit.record({
        _id: `production-request:${request._id}:create`,
        at,
        actor,
        action: 'production-request.create',
        target: { kind: 'production-request', id: request._id },
        changes: { productId, qty, warehouse },
      });
      return toRequestView(request, undefined);
    },

    async list({ limit }) {
      const docs = await requests.find({}).sort({ requestedAt: -1, _id: -1 }).limit(limit).toArray();
      if (docs.length === 0) return [];
      const items = await workItems
        .find({ _id: { $in: docs.map((doc) => workItemIdOf(doc._id)) } })
        .toArray();
      const byId = new Map(items.map((item) => [item._id, item]));
      return docs.map((doc) => toRequestView(doc, byId.get(workItemIdOf(doc._id))));
    },

    async cancel(actor, id, reason) {
      const request = await find(id);
      const item = await itemOf(id);
      if (!cancellable(item)) {
        throw new Errors.Conflict(
          `This request is ${requestState(item)}: only a request whose build has not started can be cancelled`,
        );
      }
      if (request.cancelRequestedAt) return toRequestView(request, item); // asked already: once
      const at = now();
      const by = actor.email ?? actor.sub;
      const marked = await requests.findOneAndUpdate(
        { _id: id, cancelRequestedAt: { $exists: false } },
        { $set: { cancelRequestedAt: at, cancelRequestedBy: by, ...traceparentField() } },
        { returnDocument: 'after' },
      );
      if (!marked) return toRequestView(await find(id), await itemOf(id)); // another admin was first
      await audit.record({
        _id: `production-request:${id}:cancel`,
        at,
        actor,
        action: 'production-request.cancel',
        target: { kind: 'production-request', id },
        ...(reason && { changes: { reason } }),
      });
      return toRequestView(marked, item);
    },
  };
}
