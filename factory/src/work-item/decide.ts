import { MAX_LINE_QTY } from '@az-shop/common/schemas';
import { isUndecidedBackorder } from './backorder-demand';
import {
  type Decision,
  REJECTION,
  reject,
  WORK_ITEM_STAGE,
  type WorkItemCommand,
  type WorkItemEvent,
  type WorkItemState,
} from './types';

/** Business rules of a work item: what happens when `command` meets `state` at `now`. Pure. */
export function decide(command: WorkItemCommand, state: WorkItemState, now: Date): Decision<WorkItemEvent> {
  switch (command.type) {
    case 'CreateWorkItem': {
      // Created once: a repeated request (re-delivered event) changes nothing.
      if (state) return [];
      const { type: _type, productKnown, ...fields } = command;
      const created: WorkItemEvent = { type: 'WorkItemCreated', ...fields, at: now };
      const problem = validate(command);
      if (problem) return [created, { type: 'WorkItemFailed', reason: problem, at: now }];
      return [created, { type: 'WorkItemQueued', at: now }];
    }
    case 'StartBuild': {
      if (!state || state.stage !== WORK_ITEM_STAGE.FactoryReady) {
        return reject(REJECTION.IllegalState, `cannot start a build in stage ${state?.stage ?? 'none'}`);
      }
      if (!command.capacityClaimed) return reject(REJECTION.NoCapacity, 'no factory capacity is free');
      const endsAt = new Date(now.getTime() + Math.round(state.qty * command.secondsPerUnit * 1000));
      return [{ type: 'BuildStarted', at: now, endsAt }];
    }
    case 'CompleteBuild': {
      if (!state || state.stage !== WORK_ITEM_STAGE.Building) {
        return reject(REJECTION.IllegalState, `cannot complete a build in stage ${state?.stage ?? 'none'}`);
      }
      if (state.buildEndsAt && now.getTime() < state.buildEndsAt.getTime()) {
        return reject(REJECTION.NotYet, `the build ends at ${state.buildEndsAt.toISOString()}`);
      }
      return [
        { type: 'BuildCompleted', at: now },
        { type: 'MovingToWarehouse', outputId: command.outputId, at: now },
      ];
    }
    case 'ConfirmInventory': {
      if (!state || state.stage !== WORK_ITEM_STAGE.MoveToWarehouse) {
        return reject(REJECTION.IllegalState, `cannot confirm inventory in stage ${state?.stage ?? 'none'}`);
      }
      return [{ type: 'InventoryAvailable', at: now }];
    }
    case 'ReleaseBackorder':
      return releaseBackorder(command, state, now);
    case 'CancelRequest':
      return cancelRequest(command, state, now);
  }
}

/** Stages in which nothing has been built yet: a cancellation still stops the item. */
const NOT_STARTED: readonly string[] = [WORK_ITEM_STAGE.New, WORK_ITEM_STAGE.FactoryReady];

/**
 * The back office cancels a production request: its item is cancelled if its build has not started;
 * a started (or finished) one goes on and the refusal is recorded, so web can say why. A failed item
 * has nothing to cancel. Decided once: a repeat changes nothing.
 */
function cancelRequest(
  command: Extract<WorkItemCommand, { type: 'CancelRequest' }>,
  state: WorkItemState,
  now: Date,
): Decision<WorkItemEvent> {
  if (!state) return reject(REJECTION.NotFound, 'no such work item');
  if (state.source.kind !== 'production_request') {
    return reject(REJECTION.IllegalState, 'only a production request item is cancelled by the back office');
  }
  if (state.stage === WORK_ITEM_STAGE.Cancelled || state.stage === WORK_ITEM_STAGE.Failed) return [];
  if (state.cancelRefused) return [];
  const by = command.requestedBy ? ` by ${command.requestedBy}` : '';
  if (NOT_STARTED.includes(state.stage)) {
    return [{ type: 'WorkItemCancelled', reason: `production request cancelled${by}`, at: now }];
  }
  const since = state.buildStartedAt ? ` at ${state.buildStartedAt.toISOString()}` : '';
  return [{ type: 'CancelRefused', reason: `the build had started${since} (stage ${state.stage})`, at: now }];
}

/**
 * docs/domain.md "When an order stops waiting": an item not started is cancelled unless other orders'
 * demand is not covered by other work, in which case it is kept for that demand (cut to it). Started
 * or finished items go on: their units go to stock. Decided once: a repeat changes nothing.
 */
function releaseBackorder(
  command: Extract<WorkItemCommand, { type: 'ReleaseBackorder' }>,
  state: WorkItemState,
  now: Date,
): Decision<WorkItemEvent> {
  if (!state) return reject(REJECTION.NotFound, 'no such work item');
  if (state.source.kind !== 'backorder') {
    return reject(REJECTION.IllegalState, 'only a backorder item follows its order');
  }
  if (!isUndecidedBackorder(state)) return [];
  const uncovered = command.openDemand - command.otherWork;
  const why = `its order is ${command.fulfilmentStage}`;
  if (uncovered <= 0) {
    const reason = `${why}; other open demand (${command.openDemand}) is covered by other work (${command.otherWork})`;
    return [{ type: 'WorkItemCancelled', reason, at: now }];
  }
  const qty = Math.min(state.qty, uncovered);
  const reason = `${why}; kept for ${uncovered} units other orders wait for without work`;
  return [{ type: 'WorkItemReattributed', qty, reason, at: now }];
}

function validate(command: Extract<WorkItemCommand, { type: 'CreateWorkItem' }>): string | undefined {
  if (!command.productId) return 'missing product id';
  if (!Number.isInteger(command.qty) || command.qty < 1 || command.qty > MAX_LINE_QTY) {
    return `quantity ${command.qty} is out of range (1..${MAX_LINE_QTY})`;
  }
  if (!command.productKnown) return `unknown product ${command.productId}`;
  return undefined;
}
