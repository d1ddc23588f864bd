import { FULFILMENT_STAGE, type FulfilmentStage } from '@az-shop/common/schemas';
import { WORK_ITEM_STAGE, type WorkItem, type WorkItemStage } from './types';

/**
 * The counting behind "When an order stops waiting" (docs/domain.md), pure: the I/O layer reads the
 * documents, these functions add them up, the decider (`ReleaseBackorder`) applies the rule.
 */

/** Fulfilment stages in which the order no longer waits for units built for its backorder. */
export const NO_LONGER_WAITING: readonly FulfilmentStage[] = [
  FULFILMENT_STAGE.Shipped,
  FULFILMENT_STAGE.Delivered,
  FULFILMENT_STAGE.Cancelled,
  FULFILMENT_STAGE.Expired,
  FULFILMENT_STAGE.Failed,
];

/** Work item stages whose units are still to reach the shelf. */
export const TO_DELIVER: readonly WorkItemStage[] = [
  WORK_ITEM_STAGE.New,
  WORK_ITEM_STAGE.FactoryReady,
  WORK_ITEM_STAGE.Building,
  WORK_ITEM_STAGE.FactoryComplete,
  WORK_ITEM_STAGE.MoveToWarehouse,
];

/** A backorder's item whose build has not started and whose fate has not been decided yet. */
export function isUndecidedBackorder(item: WorkItem): boolean {
  const notStarted = item.stage === WORK_ITEM_STAGE.New || item.stage === WORK_ITEM_STAGE.FactoryReady;
  return item.source.kind === 'backorder' && notStarted && !item.reattributed;
}

interface Backorder {
  _id: string;
  stage: FulfilmentStage;
  shortLines: readonly { productId: string; qty: number }[];
}

/** Units of the product that open backorders other than `exceptId` still wait for (their short lines). */
export function openDemand(backorders: readonly Backorder[], productId: string, exceptId: string): number {
  return backorders
    .filter((backorder) => backorder._id !== exceptId && backorder.stage === FULFILMENT_STAGE.Backordered)
    .flatMap((backorder) => backorder.shortLines.filter((line) => line.productId === productId))
    .reduce((sum, line) => sum + line.qty, 0);
}

/**
 * Units the product's work items other than `exceptId` will still bring to the shelf. An undecided
 * backorder item whose order no longer waits (`stoppedWaiting`) is left out: its own decision may
 * cancel it, and two such items counting on each other could both be cancelled.
 */
export function workInProgress(
  items: readonly WorkItem[],
  exceptId: string,
  stoppedWaiting: ReadonlySet<string>,
): number {
  return items
    .filter((item) => item._id !== exceptId && TO_DELIVER.includes(item.stage))
    .filter(
      (item) =>
        !(
          isUndecidedBackorder(item) &&
          item.source.kind === 'backorder' &&
          stoppedWaiting.has(item.source.fulfilmentId)
        ),
    )
    .reduce((sum, item) => sum + item.qty, 0);
}
