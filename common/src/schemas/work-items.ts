import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Traceparent } from './shared';

export const WORK_ITEMS = 'work_items';

/** Stages of a work item, in the order they happen; Failed and Cancelled are terminal. */
export const WORK_ITEM_STAGE = {
  New: 'New',
  FactoryReady: 'FactoryReady',
  Building: 'Building',
  FactoryComplete: 'FactoryComplete',
  MoveToWarehouse: 'MoveToWarehouse',
  InventoryAvailable: 'InventoryAvailable',
  Failed: 'Failed',
  /**
   * Dropped before its build started: a backorder's order no longer waits for it, or the back office
   * cancelled the production request (docs/domain.md).
   */
  Cancelled: 'Cancelled',
} as const;
export type WorkItemStage = (typeof WORK_ITEM_STAGE)[keyof typeof WORK_ITEM_STAGE];

export const WorkItemStageSchema = Type.Union([
  Type.Literal(WORK_ITEM_STAGE.New),
  Type.Literal(WORK_ITEM_STAGE.FactoryReady),
  Type.Literal(WORK_ITEM_STAGE.Building),
  Type.Literal(WORK_ITEM_STAGE.FactoryComplete),
  Type.Literal(WORK_ITEM_STAGE.MoveToWarehouse),
  Type.Literal(WORK_ITEM_STAGE.InventoryAvailable),
  Type.Literal(WORK_ITEM_STAGE.Failed),
  Type.Literal(WORK_ITEM_STAGE.Cancelled),
]);

/** Why the work item exists: a back-office production request, or a backordered fulfilment line. */
export const WorkItemSource = Type.Union([
  Type.Object({ kind: Type.Literal('production_request'), requestId: Id }),
  Type.Object({ kind: Type.Literal('backorder'), fulfilmentId: Id, productId: Id }),
]);
export type WorkItemSource = Static<typeof WorkItemSource>;

/** One per production request or backordered line, owned by factory; `partition_key` is the product id. */
export const WorkItemDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  traceparent: Traceparent,
  productId: Type.String(),
  warehouse: Type.String(),
  qty: Type.Integer(),
  source: WorkItemSource,
  stage: WorkItemStageSchema,
  /** When it started waiting for factory capacity (FactoryReady); the queue is ordered by it. */
  waitingSince: Type.Optional(DateTime),
  buildStartedAt: Type.Optional(DateTime),
  /** Durable end of the build: a restarted factory completes the build at this time. */
  buildEndsAt: Type.Optional(DateTime),
  completedAt: Type.Optional(DateTime),
  /** Id of the factory_output document written for it. */
  outputId: Type.Optional(Id),
  failure: Type.Optional(Type.Object({ reason: Type.String() })),
  /** Why the item was cancelled (stage Cancelled): its order stopped waiting, or the back office asked. */
  cancellation: Type.Optional(Type.Object({ reason: Type.String() })),
  /** The back office asked to cancel a production request whose build had already started: it goes on. */
  cancelRefused: Type.Optional(Type.Object({ reason: Type.String(), at: DateTime })),
  /**
   * Set when the order it was made for stopped waiting before the build started, and other orders'
   * uncovered demand kept it (its qty then cut to that demand; `fromQty` is what it was).
   */
  reattributed: Type.Optional(Type.Object({ reason: Type.String(), fromQty: Type.Integer(), at: DateTime })),
  history: Type.Array(
    Type.Object({ stage: WorkItemStageSchema, at: DateTime, note: Type.Optional(Type.String()) }),
  ),
  /** Optimistic-concurrency version: every write is conditional on it. */
  version: Type.Integer({ minimum: 0 }),
});
export type WorkItemDocument = Static<typeof WorkItemDocument>;

/**
 * Build progress for the boards, 0–100, from the durable start and end times: 0 before the build,
 * 100 once built. Pure: the clock is passed in.
 */
export function buildProgress(
  item: Pick<WorkItemDocument, 'stage' | 'buildStartedAt' | 'buildEndsAt'>,
  now: Date,
): number {
  if (item.stage === WORK_ITEM_STAGE.New || item.stage === WORK_ITEM_STAGE.FactoryReady) return 0;
  if (item.stage === WORK_ITEM_STAGE.Failed || item.stage === WORK_ITEM_STAGE.Cancelled) return 0;
  if (item.stage !== WORK_ITEM_STAGE.Building) return 100;
  const start = item.buildStartedAt?.getTime();
  const end = item.buildEndsAt?.getTime();
  if (start === undefined || end === undefined || end <= start) return 0;
  const fraction = (now.getTime() - start) / (end - start);
  return Math.round(Math.min(1, Math.max(0, fraction)) * 100);
}
