import { describe, expect, it } from 'vitest';
import type { BoardDelta, OrderBoard } from '../data';
import { withChange } from './order-board-state';

function card(orderId: string, stage: BoardDelta['stage']) {
  return {
    orderId,
    userId: 'u',
    stage,
    placedAt: '2026-12-06T10:00:00.000Z',
    payBy: '2026-12-06T10:15:00.000Z',
    paid: false,
    units: 1,
    heldUnits: 1,
    total: 100,
    currency: 'EUR',
    since: '2026-12-06T10:00:00.000Z',
    version: 1,
  };
}

const board = (): OrderBoard => ({
  at: '2026-12-06T10:00:00.000Z',
  picking: { inUse: 0, capacity: 5 },
  oldestUnpaidHold: null,
  columns: [
    { stage: 'Reserved', total: 2, cards: [card('o1', 'Reserved'), card('o2', 'Reserved')] },
    { stage: 'Picking', total: 0, cards: [] },
  ],
});

describe('an order board change', () => {
  it('given a reserved order, when it is picked, then its card moves to Picking', () => {
    const next = withChange(board(), { orderId: 'o1', stage: 'Picking', card: card('o1', 'Picking') });
    expect(next.columns.map((c) => [c.stage, c.total, c.cards.map((x) => x.orderId)])).toEqual([
      ['Reserved', 1, ['o2']],
      ['Picking', 1, ['o1']],
    ]);
  });

  it('given a change seen twice, then the card is counted once', () => {
    const delta: BoardDelta = { orderId: 'o3', stage: 'Picking', card: card('o3', 'Picking') };
    const once = withChange(board(), delta);
    expect(withChange(once, delta)).toEqual(once);
  });
});
