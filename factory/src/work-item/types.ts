import type { WorkItemDocument, WorkItemSource } from '@az-shop/common/schemas';

export { WORK_ITEM_STAGE, type WorkItemStage } from '@az-shop/common/schemas';

/** The decider's state: the work item as stored, without the storage fields. */
export type WorkItem = Omit<WorkItemDocument, 'partition_key' | 'version'>;

/** `null` until the work item is created. */
export type WorkItemState = WorkItem | null;

export type WorkItemCommand =
  | {
      type: 'CreateWorkItem';
      id: string;
      productId: string;
      warehouse: string;
      qty: number;
      source: WorkItemSource;
      /** Whether the product is in the catalog (read by the I/O layer). */
      productKnown: boolean;
    }
  | {
      type: 'StartBuild';
      secondsPerUnit: number;
      /** Whether a unit of factory capacity was claimed for this item (by the I/O layer). */
      capacityClaimed: boolean;
    }
  | { type: 'CompleteBuild'; outputId: string }
  | { type: 'ConfirmInventory' }
  | {
      /** The fulfilment a backorder's item was made for no longer waits for it (ended or shipped). */
      type: 'ReleaseBackorder';
      fulfilmentStage: string;
      /** Units other open backorders of the product still wait for (read by the I/O layer). */
      openDemand: number;
      /** Units the product's other work will still bring (`workInProgress`, read by the I/O layer). */
      otherWork: number;
    }
  | {
      /** The back office asked to cancel the production request this item was made for. */
      type: 'CancelRequest';
      requestedBy?: string;
    };

export type WorkItemEvent =
  | {
      type: 'WorkItemCreated';
      id: string;
      productId: string;
      warehouse: string;
      qty: number;
      source: WorkItemSource;
      at: Date;
    }
  | { type: 'WorkItemQueued'; at: Date }
  | { type: 'WorkItemFailed'; reason: string; at: Date }
  | { type: 'BuildStarted'; at: Date; endsAt: Date }
  | { type: 'BuildCompleted'; at: Date }
  | { type: 'MovingToWarehouse'; outputId: string; at: Date }
  | { type: 'InventoryAvailable'; at: Date }
  | { type: 'WorkItemCancelled'; reason: string; at: Date }
  | { type: 'WorkItemReattributed'; qty: number; reason: string; at: Date }
  | { type: 'CancelRefused'; reason: string; at: Date };

export { type Decision, isRejection, REJECTION, type Rejection, reject } from '@az-shop/common/decider';
