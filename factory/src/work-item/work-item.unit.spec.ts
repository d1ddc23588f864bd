import { MAX_LINE_QTY } from '@az-shop/common/schemas';
import { describe, expect, it } from 'vitest';
import { decide } from './decide';
import { evolveAll } from './evolve';
import { buildProgress, planBuilds } from './schedule';
import {
  isRejection,
  WORK_ITEM_STAGE,
  type WorkItem,
  type WorkItemCommand,
  type WorkItemEvent,
} from './types';

const t0 = new Date('2026-01-01T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** given these past events, when this command at `now`: the events it decides (or its rejection). */
function given(events: WorkItemEvent[]) {
  const state = evolveAll(null, events);
  return {
    state,
    when(command: WorkItemCommand, now = t0) {
      const decision = decide(command, state, now);
      return {
        thenEvents: (expected: WorkItemEvent[]) => expect(decision).toEqual(expected),
        thenRejected: (kind: string) => {
          expect(isRejection(decision)).toBe(true);
          expect(isRejection(decision) && decision.kind).toBe(kind);
        },
        thenStage: (stage: string) => {
          if (isRejection(decision)) throw new Error(decision.reason);
          expect(evolveAll(state, decision)?.stage).toBe(stage);
        },
      };
    },
  };
}

const create: WorkItemCommand = {
  type: 'CreateWorkItem',
  id: 'pr:r1',
  productId: 'p1',
  warehouse: 'main',
  qty: 2,
  source: { kind: 'production_request', requestId: 'r1' },
  productKnown: true,
};
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
const completed: WorkItemEvent[] = [
  { type: 'BuildCompleted', at: at(11) },
  { type: 'MovingToWarehouse', outputId: 'out:pr:r1', at: at(11) },
];

describe('work item decider', () => {
  describe('CreateWorkItem', () => {
    it('creates a new item and queues it for capacity (New → FactoryReady)', () => {
      given([]).when(create).thenEvents([created, queued]);
      given([]).when(create).thenStage(WORK_ITEM_STAGE.FactoryReady);
    });

    it('keeps when it started waiting, for the queue', () => {
      expect(given([created, queued]).state?.waitingSince).toEqual(t0);
    });

    it('does nothing when the item already exists (re-delivered request)', () => {
      given([created, queued]).when(create).thenEvents([]);
    });

    it('fails an unknown product with a reason', () => {
      given([])
        .when({ ...create, productKnown: false })
        .thenEvents([created, { type: 'WorkItemFailed', reason: 'unknown product p1', at: t0 }]);
    });

    it.each([0, -3, 1.5, MAX_LINE_QTY + 1])('fails quantity %s as out of range', (qty) => {
      const decision = decide({ ...create, qty }, null, t0);
      expect(decision).toEqual([
        { ...created, qty },
        { type: 'WorkItemFailed', reason: `quantity ${qty} is out of range (1..${MAX_LINE_QTY})`, at: t0 },
      ]);
      given([])
        .when({ ...create, qty })
        .thenStage(WORK_ITEM_STAGE.Failed);
    });

    it('fails a missing product id', () => {
      given([])
        .when({ ...create, productId: '' })
        .thenStage(WORK_ITEM_STAGE.Failed);
    });
  });

  describe('StartBuild', () => {
    it('starts building when capacity was claimed; the end time is qty × seconds per unit', () => {
      given([created, queued])
        .when({ type: 'StartBuild', secondsPerUnit: 5, capacityClaimed: true }, at(1))
        .thenEvents([started]);
    });

    it('allows fractional seconds per unit', () => {
      given([created, queued])
        .when({ type: 'StartBuild', secondsPerUnit: 0.01, capacityClaimed: true }, t0)
        .thenEvents([{ type: 'BuildStarted', at: t0, endsAt: new Date(t0.getTime() + 20) }]);
    });

    it('waits without capacity', () => {
      given([created, queued])
        .when({ type: 'StartBuild', secondsPerUnit: 5, capacityClaimed: false })
        .thenRejected('NoCapacity');
    });

    it.each([
      ['nothing', []],
      ['Building', [created, queued, started]],
      ['Failed', [created, { type: 'WorkItemFailed', reason: 'x', at: t0 } as WorkItemEvent]],
    ])('is refused for %s', (_name, events) => {
      given(events as WorkItemEvent[])
        .when({ type: 'StartBuild', secondsPerUnit: 5, capacityClaimed: true })
        .thenRejected('IllegalState');
    });
  });

  describe('CompleteBuild', () => {
    it('completes at the end time and moves the output to the warehouse', () => {
      given([created, queued, started])
        .when({ type: 'CompleteBuild', outputId: 'out:pr:r1' }, at(11))
        .thenEvents(completed);
      given([created, queued, started])
        .when({ type: 'CompleteBuild', outputId: 'out:pr:r1' }, at(11))
        .thenStage(WORK_ITEM_STAGE.MoveToWarehouse);
    });

    it('is refused before the end time', () => {
      given([created, queued, started])
        .when({ type: 'CompleteBuild', outputId: 'out:pr:r1' }, at(10))
        .thenRejected('NotYet');
    });

    it('is refused when not building (a second completion)', () => {
      given([created, queued, started, ...completed])
        .when({ type: 'CompleteBuild', outputId: 'out:pr:r1' }, at(12))
        .thenRejected('IllegalState');
    });
  });

  describe('ConfirmInventory', () => {
    it('makes the inventory available after the move', () => {
      given([created, queued, started, ...completed])
        .when({ type: 'ConfirmInventory' }, at(12))
        .thenEvents([{ type: 'InventoryAvailable', at: at(12) }]);
    });

    it('is refused before the move', () => {
      given([created, queued, started]).when({ type: 'ConfirmInventory' }).thenRejected('IllegalState');
    });
  });

  it('keeps the transition history with timestamps', () => {
    const state = evolveAll(null, [
      created,
      queued,
      started,
      ...completed,
      { type: 'InventoryAvailable', at: at(12) },
    ]);
    expect(state?.history.map((entry) => [entry.stage, entry.at])).toEqual([
      ['New', t0],
      ['FactoryReady', t0],
      ['Building', at(1)],
      ['FactoryComplete', at(11)],
      ['MoveToWarehouse', at(11)],
      ['InventoryAvailable', at(12)],
    ]);
    expect(state?.outputId).toBe('out:pr:r1');
  });
});

describe('build schedule', () => {
  const item = (id: string, waitingSeconds: number): WorkItem => ({
    ...(evolveAll(null, [
      { ...created, id },
      { type: 'WorkItemQueued', at: at(waitingSeconds) },
    ]) as WorkItem),
  });

  it('starts the longest-waiting items first, up to the free capacity', () => {
    const plan = planBuilds([item('c', 3), item('a', 1), item('b', 2)], 3, 5);
    expect(plan.map((w) => w._id)).toEqual(['a', 'b']);
  });

  it('starts nothing when capacity is full', () => {
    expect(planBuilds([item('a', 1)], 5, 5)).toEqual([]);
  });

  it('reports progress from the durable start and end times', () => {
    const building = evolveAll(null, [created, queued, started]) as WorkItem;
    expect(buildProgress(building, at(1))).toBe(0);
    expect(buildProgress(building, at(6))).toBe(50);
    expect(buildProgress(building, at(30))).toBe(100);
    expect(buildProgress(item('a', 1), at(6))).toBe(0);
    expect(buildProgress({ ...building, stage: 'InventoryAvailable' }, at(6))).toBe(100);
  });
});
