import {
  WORK_ITEM_STAGE,
  type WorkItem,
  type WorkItemEvent,
  type WorkItemStage,
  type WorkItemState,
} from './types';

/** Applies one event to the state. Pure; the only place a work item's fields change. */
export function evolve(state: WorkItemState, event: WorkItemEvent): WorkItemState {
  if (event.type === 'WorkItemCreated') {
    return {
      _id: event.id,
      productId: event.productId,
      warehouse: event.warehouse,
      qty: event.qty,
      source: event.source,
      stage: WORK_ITEM_STAGE.New,
      history: [{ stage: WORK_ITEM_STAGE.New, at: event.at }],
    };
  }
  if (!state) return state;
  switch (event.type) {
    case 'WorkItemQueued':
      return { ...moveTo(state, WORK_ITEM_STAGE.FactoryReady, event.at), waitingSince: event.at };
    case 'WorkItemFailed':
      return {
        ...moveTo(state, WORK_ITEM_STAGE.Failed, event.at, event.reason),
        failure: { reason: event.reason },
      };
    case 'BuildStarted':
      return {
        ...moveTo(state, WORK_ITEM_STAGE.Building, event.at),
        buildStartedAt: event.at,
        buildEndsAt: event.endsAt,
      };
    case 'BuildCompleted':
      return { ...moveTo(state, WORK_ITEM_STAGE.FactoryComplete, event.at), completedAt: event.at };
    case 'MovingToWarehouse':
      return { ...moveTo(state, WORK_ITEM_STAGE.MoveToWarehouse, event.at), outputId: event.outputId };
    case 'InventoryAvailable':
      return moveTo(state, WORK_ITEM_STAGE.InventoryAvailable, event.at);
    case 'WorkItemCancelled':
      return {
        ...moveTo(state, WORK_ITEM_STAGE.Cancelled, event.at, event.reason),
        cancellation: { reason: event.reason },
      };
    case 'CancelRefused':
      return {
        ...state,
        cancelRefused: { reason: event.reason, at: event.at },
        history: [
          ...state.history,
          { stage: state.stage, at: event.at, note: `cancel refused: ${event.reason}` },
        ],
      };
    case 'WorkItemReattributed':
      return {
        ...state,
        qty: event.qty,
        reattributed: { reason: event.reason, fromQty: state.qty, at: event.at },
        history: [...state.history, { stage: state.stage, at: event.at, note: `kept: ${event.reason}` }],
      };
  }
}

export function evolveAll(state: WorkItemState, events: readonly WorkItemEvent[]): WorkItemState {
  return events.reduce(evolve, state);
}

function moveTo(state: WorkItem, stage: WorkItemStage, at: Date, note?: string): WorkItem {
  const entry = note === undefined ? { stage, at } : { stage, at, note };
  return { ...state, stage, history: [...state.history, entry] };
}
