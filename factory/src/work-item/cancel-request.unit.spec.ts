import { describe, expect, it } from 'vitest';
import { decide } from './decide';
import { evolveAll } from './evolve';
import { isRejection, WORK_ITEM_STAGE, type WorkItemCommand, type WorkItemEvent } from './types';

const t0 = new Date('2026-01-01T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const created: WorkItemEvent = {
  type: 'WorkItemCreated',
  id: 'pr:r1',
  productId: 'p1',
  warehouse: 'main',
  qty: 2,
  source: { kind: 'production_request', requestId: 'r1' },
  at: t0,
};
const queued: WorkItemEvent = { type: 'WorkItemQueued', at: t0 };
const started: WorkItemEvent = { type: 'BuildStarted', at: at(1), endsAt: at(11) };
const cancel: WorkItemCommand = { type: 'CancelRequest', requestedBy: 'admin@example.com' };

/** given these past events, when the back office cancels at `now`: the events decided. */
function given(events: WorkItemEvent[]) {
  const state = evolveAll(null, events);
  return {
    when(command: WorkItemCommand, now = at(5)) {
      const decision = decide(command, state, now);
      return {
        thenEvents: (expected: WorkItemEvent[]) => expect(decision).toEqual(expected),
        thenRejected: (kind: string) => expect(isRejection(decision) && decision.kind).toBe(kind),
        thenState: () => (isRejection(decision) ? state : evolveAll(state, decision)),
      };
    },
  };
}

describe('cancelling a production request (CancelRequest)', () => {
  it('cancels an item still waiting for capacity', () => {
    given([created, queued])
      .when(cancel)
      .thenEvents([
        { type: 'WorkItemCancelled', reason: 'production request cancelled by admin@example.com', at: at(5) },
      ]);
    const after = given([created, queued]).when(cancel).thenState();
    expect(after?.stage).toBe(WORK_ITEM_STAGE.Cancelled);
    expect(after?.cancellation?.reason).toContain('cancelled by admin@example.com');
  });

  it('cancels an item just created (New)', () => {
    expect(given([created]).when(cancel).thenState()?.stage).toBe(WORK_ITEM_STAGE.Cancelled);
  });

  it('refuses once the build has started: the item goes on and the refusal is recorded', () => {
    const reason = `the build had started at ${at(1).toISOString()} (stage Building)`;
    given([created, queued, started])
      .when(cancel)
      .thenEvents([{ type: 'CancelRefused', reason, at: at(5) }]);
    const after = given([created, queued, started]).when(cancel).thenState();
    expect(after?.stage).toBe(WORK_ITEM_STAGE.Building);
    expect(after?.cancelRefused).toEqual({ reason, at: at(5) });
    expect(after?.history.at(-1)?.note).toBe(`cancel refused: ${reason}`);
  });

  it('refuses a finished item', () => {
    const done: WorkItemEvent[] = [
      created,
      queued,
      started,
      { type: 'BuildCompleted', at: at(11) },
      { type: 'MovingToWarehouse', outputId: 'out:pr:r1', at: at(11) },
      { type: 'InventoryAvailable', at: at(12) },
    ];
    expect(given(done).when(cancel, at(20)).thenState()?.stage).toBe(WORK_ITEM_STAGE.InventoryAvailable);
    expect(given(done).when(cancel, at(20)).thenState()?.cancelRefused).toBeDefined();
  });

  it('decides once: a repeat after a cancellation or a refusal changes nothing', () => {
    const cancelled: WorkItemEvent = { type: 'WorkItemCancelled', reason: 'x', at: at(2) };
    given([created, queued, cancelled]).when(cancel).thenEvents([]);
    const refused: WorkItemEvent = { type: 'CancelRefused', reason: 'x', at: at(2) };
    given([created, queued, started, refused]).when(cancel).thenEvents([]);
  });

  it('has nothing to cancel in a failed item', () => {
    given([created, { type: 'WorkItemFailed', reason: 'unknown product p1', at: t0 }])
      .when(cancel)
      .thenEvents([]);
  });

  it('a cancelled item can no longer start', () => {
    const cancelled: WorkItemEvent = { type: 'WorkItemCancelled', reason: 'x', at: at(2) };
    given([created, queued, cancelled])
      .when({ type: 'StartBuild', secondsPerUnit: 1, capacityClaimed: true })
      .thenRejected('IllegalState');
  });

  it('is refused for a backorder item and an unknown one', () => {
    given([{ ...created, source: { kind: 'backorder', fulfilmentId: 'f1', productId: 'p1' } }])
      .when(cancel)
      .thenRejected('IllegalState');
    given([]).when(cancel).thenRejected('NotFound');
  });
});
