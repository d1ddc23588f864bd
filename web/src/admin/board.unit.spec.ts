import type { FulfilmentDocument, FulfilmentStage } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { BOARD_STAGES, buildBoard, isUnpaidHold, toCard, toDelta } from './board';

const placedAt = new Date('2026-01-01T10:00:00Z');
const now = new Date('2026-01-01T10:05:00Z');

function fulfilment(id: string, stage: FulfilmentStage, overrides: Partial<FulfilmentDocument> = {}) {
  const doc: FulfilmentDocument = {
    _id: id,
    partition_key: 'u1',
    orderId: id,
    userId: 'u1',
    warehouse: 'main',
    stage,
    lines: [
      { productId: 'chair', qty: 2, held: true },
      { productId: 'lamp', qty: 1, held: false },
    ],
    shortLines: [],
    total: 300,
    currency: 'EUR',
    placedAt,
    payBy: new Date(placedAt.getTime() + 15 * 60_000),
    paid: false,
    refundsDue: [],
    history: [{ stage: 'Placed', at: placedAt }],
    version: 1,
    ...overrides,
  };
  return doc;
}

describe('buildBoard', () => {
  it('given orders in some stages, when the board is built, then every stage has a column with its count, zero when empty', () => {
    const board = buildBoard({
      counts: new Map<FulfilmentStage, number>([
        ['Reserved', 120],
        ['Picking', 3],
      ]),
      newest: new Map([['Reserved', [fulfilment('o_a', 'Reserved')]]]),
      pickingCapacity: 5,
      oldestUnpaid: null,
      now,
    });
    expect(board.columns.map((column) => column.stage)).toEqual(BOARD_STAGES);
    expect(board.columns.find((column) => column.stage === 'Reserved')).toMatchObject({
      total: 120,
      cards: [{ orderId: 'o_a', units: 3, heldUnits: 2 }],
    });
    expect(board.columns.find((column) => column.stage === 'Cancelled')).toEqual({
      stage: 'Cancelled',
      total: 0,
      cards: [],
    });
    expect(board.picking).toEqual({ inUse: 3, capacity: 5 });
    expect(board.at).toBe(now.toISOString());
  });

  it('given an unpaid order holding units, when the board is built, then it is the oldest unpaid hold with its age', () => {
    const board = buildBoard({
      counts: new Map(),
      newest: new Map(),
      pickingCapacity: 5,
      oldestUnpaid: fulfilment('o_old', 'Reserved'),
      now,
    });
    expect(board.oldestUnpaidHold).toEqual({
      orderId: 'o_old',
      placedAt: placedAt.toISOString(),
      payBy: '2026-01-01T10:15:00.000Z',
      heldUnits: 2,
      ageSeconds: 300,
    });
  });

  it('given no unpaid hold, when the board is built, then there is no oldest unpaid hold', () => {
    const parts = { counts: new Map(), newest: new Map(), pickingCapacity: 1, now };
    expect(buildBoard({ ...parts, oldestUnpaid: null }).oldestUnpaidHold).toBeNull();
    expect(
      buildBoard({ ...parts, oldestUnpaid: fulfilment('o_p', 'Reserved', { paid: true }) }).oldestUnpaidHold,
    ).toBeNull();
  });
});

describe('isUnpaidHold', () => {
  it('is an unpaid order in Reserved or Backordered with units held', () => {
    expect(isUnpaidHold(fulfilment('o', 'Reserved'))).toBe(true);
    expect(isUnpaidHold(fulfilment('o', 'Backordered'))).toBe(true);
  });

  it('is not a paid order, one not holding yet (Placed, or nothing held), or one that has moved on', () => {
    expect(isUnpaidHold(fulfilment('o', 'Reserved', { paid: true }))).toBe(false);
    expect(isUnpaidHold(fulfilment('o', 'Placed'))).toBe(false);
    expect(
      isUnpaidHold(fulfilment('o', 'Backordered', { lines: [{ productId: 'x', qty: 1, held: false }] })),
    ).toBe(false);
    expect(isUnpaidHold(fulfilment('o', 'Expired'))).toBe(false);
  });
});

describe('toDelta', () => {
  it('given a change that moved the order, then the delta is its card in the new stage', () => {
    const moved = fulfilment('o_m', 'Picking', {
      history: [
        { stage: 'Placed', at: placedAt },
        { stage: 'Reserved', at: placedAt },
        { stage: 'Picking', at: now },
      ],
      version: 3,
    });
    expect(toDelta(moved)).toMatchObject({
      orderId: 'o_m',
      stage: 'Picking',
      card: { stage: 'Picking', since: now.toISOString(), version: 3 },
    });
  });
});

describe('toCard', () => {
  it('shows dates as ISO text and counts units', () => {
    expect(toCard(fulfilment('o_c', 'Placed'))).toEqual({
      orderId: 'o_c',
      userId: 'u1',
      stage: 'Placed',
      placedAt: placedAt.toISOString(),
      payBy: '2026-01-01T10:15:00.000Z',
      paid: false,
      units: 3,
      heldUnits: 2,
      total: 300,
      currency: 'EUR',
      since: placedAt.toISOString(),
      version: 1,
    });
  });
});
