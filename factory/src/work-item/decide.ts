import { MAX_LINE_QTY } from '@az-shop/common/schemas';
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
  }
}

function validate(command: Extract<WorkItemCommand, { type: 'CreateWorkItem' }>): string | undefined {
  if (!command.productId) return 'missing product id';
  if (!Number.isInteger(command.qty) || command.qty < 1 || command.qty > MAX_LINE_QTY) {
    return `quantity ${command.qty} is out of range (1..${MAX_LINE_QTY})`;
  }
  if (!command.productKnown) return `unknown product ${command.productId}`;
  return undefined;
}
