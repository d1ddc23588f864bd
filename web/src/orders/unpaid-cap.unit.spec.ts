import { describe, expect, it } from 'vitest';
import { isOpenAndUnpaid, type OrderState, unpaidCapRefusal } from './unpaid-cap';

const now = new Date('2026-01-01T10:00:00Z');
const order = (qty: number) => ({ lines: [{ productId: 'chair', qty, unitPrice: 100 }] });
const state = (overrides: Partial<OrderState> = {}): OrderState => ({
  order: { ...order(1), placedAt: now, payBy: new Date(now.getTime() + 60_000) },
  fulfilment: null,
  paid: false,
  cancellationRequested: false,
  ...overrides,
});
const cap = { maxOrders: 2, maxUnits: 5 };

describe('isOpenAndUnpaid', () => {
  it('counts an order placed and not yet seen by ordering, or held and waiting for payment', () => {
    expect(isOpenAndUnpaid(state(), now)).toBe(true);
    expect(isOpenAndUnpaid(state({ fulfilment: { stage: 'Backordered', paid: false } }), now)).toBe(true);
  });

  it('does not count a paid order, whoever recorded the payment', () => {
    expect(isOpenAndUnpaid(state({ paid: true }), now)).toBe(false);
    expect(isOpenAndUnpaid(state({ fulfilment: { stage: 'Reserved', paid: true } }), now)).toBe(false);
  });

  it('does not count an ended order, one asked to be cancelled, or one past its payBy', () => {
    expect(isOpenAndUnpaid(state({ fulfilment: { stage: 'Expired', paid: false } }), now)).toBe(false);
    expect(isOpenAndUnpaid(state({ fulfilment: { stage: 'Cancelled', paid: false } }), now)).toBe(false);
    expect(isOpenAndUnpaid(state({ cancellationRequested: true }), now)).toBe(false);
    const late = state({ order: { ...order(1), placedAt: now, payBy: now } });
    expect(isOpenAndUnpaid(late, now)).toBe(false);
  });
});

describe('unpaidCapRefusal', () => {
  it('given fewer unpaid orders and units than the cap, when ordering, then it is allowed', () => {
    expect(unpaidCapRefusal([order(2)], order(3), cap)).toBeUndefined();
  });

  it('given maxOrders unpaid orders, when ordering again, then it is refused whatever the size', () => {
    expect(unpaidCapRefusal([order(1), order(1)], order(1), cap)).toMatch(/2 orders waiting for payment/);
  });

  it('given unpaid units, when the new order would pass maxUnits, then it is refused naming both', () => {
    expect(unpaidCapRefusal([order(3)], order(3), cap)).toMatch(/hold 3 items and this order has 3/);
    expect(unpaidCapRefusal([], order(6), cap)).toMatch(/at most 5/);
  });
});
