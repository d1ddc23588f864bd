import type { WorkItemDocument } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { boardItem, buildBoard, unitsPerHour } from './factory-board';

const now = new Date('2026-03-01T12:30:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

function item(id: string, fields: Partial<WorkItemDocument> = {}): WorkItemDocument {
  return {
    _id: id,
    partition_key: 'p1',
    productId: 'p1',
    warehouse: 'main',
    qty: 2,
    source: { kind: 'production_request', requestId: id },
    stage: 'FactoryReady',
    history: [{ stage: 'New', at: minutesAgo(60) }],
    version: 1,
    ...fields,
  };
}

describe('factory board', () => {
  it('given a building item, shows its start, expected end and progress now', () => {
    const building = item('pr:a', {
      stage: 'Building',
      buildStartedAt: minutesAgo(10),
      buildEndsAt: new Date(now.getTime() + 10 * 60_000),
    });
    expect(boardItem(building, now)).toEqual({
      id: 'pr:a',
      productId: 'p1',
      qty: 2,
      stage: 'Building',
      startedAt: '2026-03-01T12:20:00.000Z',
      expectedEndAt: '2026-03-01T12:40:00.000Z',
      progress: 50,
      requestId: 'pr:a',
    });
  });

  it('given an item a backorder created, marks it with its order', () => {
    const backorder = item('bo:o1:p1', {
      source: { kind: 'backorder', fulfilmentId: 'o1', productId: 'p1' },
    });
    expect(boardItem(backorder, now)).toMatchObject({ orderId: 'o1', progress: 0 });
    expect(boardItem(backorder, now)).not.toHaveProperty('requestId');
  });

  it('given finished builds, counts units per hour over the last 12 hours, the current hour last', () => {
    const bars = unitsPerHour(
      [
        { at: minutesAgo(5), qty: 3 }, // 12:25, this hour
        { at: minutesAgo(20), qty: 2 }, // 12:10, this hour
        { at: minutesAgo(45), qty: 4 }, // 11:45
        { at: minutesAgo(11 * 60 + 30), qty: 7 }, // 01:00, the first hour shown
        { at: minutesAgo(12 * 60 + 30), qty: 100 }, // 00:00, too old
      ],
      now,
    );
    expect(bars).toHaveLength(12);
    expect(bars[0]).toEqual({ hour: '2026-03-01T01:00:00.000Z', units: 7 });
    expect(bars.at(-2)).toEqual({ hour: '2026-03-01T11:00:00.000Z', units: 4 });
    expect(bars.at(-1)).toEqual({ hour: '2026-03-01T12:00:00.000Z', units: 5 });
    expect(bars.reduce((sum, bar) => sum + bar.units, 0)).toBe(16);
  });

  it('when built, puts items in columns by stage in queue order, with capacity on Building', () => {
    const board = buildBoard({
      items: [
        item('pr:late', { waitingSince: minutesAgo(1) }),
        item('pr:early', { waitingSince: minutesAgo(9) }),
        item('pr:b', { stage: 'Building', buildStartedAt: minutesAgo(1), buildEndsAt: minutesAgo(-1) }),
        item('pr:old', {
          stage: 'InventoryAvailable',
          history: [{ stage: 'InventoryAvailable', at: minutesAgo(50) }],
        }),
        item('pr:new', {
          stage: 'InventoryAvailable',
          history: [{ stage: 'InventoryAvailable', at: minutesAgo(5) }],
        }),
      ],
      counts: { FactoryReady: 2, Building: 1, InventoryAvailable: 40 },
      capacityTotal: 5,
      finished: [],
      now,
    });
    const column = (stage: string) => board.columns.find((c) => c.stage === stage);
    expect(board.columns.map((c) => c.stage)).toEqual([
      'New',
      'FactoryReady',
      'Building',
      'FactoryComplete',
      'MoveToWarehouse',
      'InventoryAvailable',
      'Cancelled',
      'Failed',
    ]);
    expect(column('FactoryReady')?.items.map((i) => i.id)).toEqual(['pr:early', 'pr:late']);
    expect(column('Building')).toMatchObject({ count: 1, capacity: { inUse: 1, total: 5 } });
    expect(column('InventoryAvailable')?.count).toBe(40); // all of them, though a page is listed
    expect(column('InventoryAvailable')?.items.map((i) => i.id)).toEqual(['pr:new', 'pr:old']);
    expect(board.capacity).toEqual({ inUse: 1, total: 5 });
    expect(board.finishedPerHour).toHaveLength(12);
    expect(board.at).toBe(now.toISOString());
  });
});
