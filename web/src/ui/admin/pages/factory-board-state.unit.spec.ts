import { describe, expect, it } from 'vitest';
import type { BoardItem, FactoryBoard } from '../data';
import { withItem } from './factory-board-state';

const item = (id: string, stage: BoardItem['stage']): BoardItem => ({
  id,
  productId: 'p',
  qty: 1,
  stage,
  progress: 0,
});

const board = (): FactoryBoard => ({
  at: '2026-12-06T10:00:00.000Z',
  capacity: { inUse: 1, total: 5 },
  finishedPerHour: [],
  columns: [
    { stage: 'FactoryReady', count: 2, items: [item('a', 'FactoryReady'), item('b', 'FactoryReady')] },
    { stage: 'Building', count: 1, items: [item('c', 'Building')] },
    { stage: 'InventoryAvailable', count: 0, items: [] },
  ],
});

describe('a factory board item event', () => {
  it('given an item waiting, when it starts building, then it leaves its column for Building', () => {
    const next = withItem(board(), item('a', 'Building'));
    expect(next.columns.map((c) => [c.stage, c.count, c.items.map((i) => i.id)])).toEqual([
      ['FactoryReady', 1, ['b']],
      ['Building', 2, ['a', 'c']],
      ['InventoryAvailable', 0, []],
    ]);
  });

  it('given an item the board does not list yet, when it arrives, then its column counts it', () => {
    const next = withItem(board(), item('new', 'FactoryReady'));
    expect(next.columns[0]).toMatchObject({ count: 3 });
    expect(next.columns[0]!.items[0]!.id).toBe('new');
  });

  it('given an item, when the same event comes twice, then nothing is counted twice', () => {
    const once = withItem(board(), item('c', 'InventoryAvailable'));
    expect(withItem(once, item('c', 'InventoryAvailable'))).toEqual(once);
  });
});
