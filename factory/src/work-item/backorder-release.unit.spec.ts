import { describe, expect, it } from 'vitest';
import { openDemand, workInProgress } from './backorder-demand';
import { decide } from './decide';
import { evolveAll } from './evolve';
import { buildProgress } from './schedule';
import {
  isRejection,
  WORK_ITEM_STAGE,
  type WorkItem,
  type WorkItemCommand,
  type WorkItemEvent,
} from './types';

const t0 = new Date('2026-01-01T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const backorderOf = (fulfilmentId: string, qty = 3): Extract<WorkItemEvent, { type: 'WorkItemCreated' }> => ({
  type: 'WorkItemCreated',
  id: `bo:${fulfilmentId}:p1`,
  productId: 'p1',
  warehouse: 'main',
  qty,
  source: { kind: 'backorder', fulfilmentId, productId: 'p1' },
  at: t0,
});
const queued: WorkItemEvent = { type: 'WorkItemQueued', at: t0 };
const started: WorkItemEvent = { type: 'BuildStarted', at: at(1), endsAt: at(16) };
const release = (openDemand: number, otherWork: number): WorkItemCommand => ({
  type: 'ReleaseBackorder',
  fulfilmentStage: 'Cancelled',
  openDemand,
  otherWork,
});

/** given these past events, when the order stops waiting with this demand and work: then… */
function given(events: WorkItemEvent[]) {
  const state = evolveAll(null, events);
  return {
    when(command: WorkItemCommand, now = at(5)) {
      const decision = decide(command, state, now);
      const after = () => {
        if (isRejection(decision)) throw new Error(decision.reason);
        return evolveAll(state, decision);
      };
      return { decision, after };
    },
  };
}

describe('ReleaseBackorder: the order a backorder item was made for no longer waits', () => {
  it('cancels an item not started when no other order waits for the product', () => {
    const { decision, after } = given([backorderOf('o1'), queued]).when(release(0, 0));
    expect(decision).toEqual([
      {
        type: 'WorkItemCancelled',
        reason: 'its order is Cancelled; other open demand (0) is covered by other work (0)',
        at: at(5),
      },
    ]);
    expect(after()).toMatchObject({
      stage: WORK_ITEM_STAGE.Cancelled,
      cancellation: { reason: expect.any(String) },
    });
    expect(buildProgress(after() as WorkItem, at(5))).toBe(0);
  });

  it('cancels it when the other orders waiting are covered by other work', () => {
    const { after } = given([backorderOf('o1'), queued]).when(release(5, 5));
    expect(after()?.stage).toBe(WORK_ITEM_STAGE.Cancelled);
  });

  it('keeps it for demand that no other work covers, cut to that demand', () => {
    const { decision, after } = given([backorderOf('o1', 3), queued]).when(release(4, 2));
    expect(decision).toEqual([
      {
        type: 'WorkItemReattributed',
        qty: 2,
        reason: 'its order is Cancelled; kept for 2 units other orders wait for without work',
        at: at(5),
      },
    ]);
    expect(after()).toMatchObject({
      stage: WORK_ITEM_STAGE.FactoryReady,
      qty: 2,
      reattributed: { fromQty: 3, at: at(5) },
    });
  });

  it('keeps the whole item when the uncovered demand is larger', () => {
    expect(
      given([backorderOf('o1', 3), queued])
        .when(release(10, 0))
        .after()?.qty,
    ).toBe(3);
  });

  it('lets an item being built finish: its units go to stock', () => {
    expect(given([backorderOf('o1'), queued, started]).when(release(0, 0)).decision).toEqual([]);
  });

  it('decides once: a replay changes nothing, whatever the demand is by then', () => {
    const cancelled = given([backorderOf('o1'), queued]).when(release(0, 0)).decision as WorkItemEvent[];
    expect(given([backorderOf('o1'), queued, ...cancelled]).when(release(9, 0)).decision).toEqual([]);
    const kept = given([backorderOf('o1'), queued]).when(release(9, 0)).decision as WorkItemEvent[];
    expect(given([backorderOf('o1'), queued, ...kept]).when(release(0, 0)).decision).toEqual([]);
  });

  it('is refused for a production request item and without an item', () => {
    const request: WorkItemEvent = {
      ...backorderOf('o1'),
      id: 'pr:r1',
      source: { kind: 'production_request', requestId: 'r1' },
    };
    const refused = given([request, queued]).when(release(0, 0)).decision;
    expect(isRejection(refused) && refused.kind).toBe('IllegalState');
    const missing = given([]).when(release(0, 0)).decision;
    expect(isRejection(missing) && missing.kind).toBe('NotFound');
  });

  it('a cancelled item can no longer start building', () => {
    const cancelled = given([backorderOf('o1'), queued]).when(release(0, 0)).decision as WorkItemEvent[];
    const start = decide(
      { type: 'StartBuild', secondsPerUnit: 5, capacityClaimed: true },
      evolveAll(null, [backorderOf('o1'), queued, ...cancelled]),
      at(6),
    );
    expect(isRejection(start) && start.kind).toBe('IllegalState');
  });
});

describe('counting demand and work for the rule', () => {
  const item = (events: WorkItemEvent[]) => evolveAll(null, events) as WorkItem;

  it('open demand: the short lines of the product in other Backordered fulfilments', () => {
    const backorders = [
      { _id: 'o1', stage: 'Backordered' as const, shortLines: [{ productId: 'p1', qty: 3 }] },
      {
        _id: 'o2',
        stage: 'Backordered' as const,
        shortLines: [
          { productId: 'p1', qty: 2 },
          { productId: 'p2', qty: 7 },
        ],
      },
      { _id: 'o3', stage: 'Reserved' as const, shortLines: [{ productId: 'p1', qty: 4 }] },
    ];
    expect(openDemand(backorders, 'p1', 'o1')).toBe(2);
    expect(openDemand(backorders, 'p2', 'o1')).toBe(7);
  });

  it('work in progress: every item still to deliver but this one and undecided items of orders that stopped waiting', () => {
    const mine = item([backorderOf('o1', 3), queued]);
    const building = item([backorderOf('o2', 2), queued, started]);
    const waitingForOpenOrder = item([backorderOf('o3', 4), queued]);
    const ofEndedOrder = item([backorderOf('o4', 5), queued]);
    const keptOfEndedOrder = item([
      backorderOf('o5', 6),
      queued,
      { type: 'WorkItemReattributed', qty: 1, reason: 'kept', at: t0 },
    ]);
    const request = item([
      { ...backorderOf('x', 8), id: 'pr:r1', source: { kind: 'production_request', requestId: 'r1' } },
      queued,
    ]);
    const done = item([backorderOf('o6', 9), { type: 'WorkItemFailed', reason: 'x', at: t0 }]);
    const all = [mine, building, waitingForOpenOrder, ofEndedOrder, keptOfEndedOrder, request, done];
    const stopped = new Set(['o1', 'o4', 'o5']);
    expect(workInProgress(all, mine._id, stopped)).toBe(2 + 4 + 1 + 8);
  });
});
