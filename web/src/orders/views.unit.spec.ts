import {
  FULFILMENT_STAGE,
  type FulfilmentDocument,
  type FulfilmentStage,
  type OrderDocument,
} from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { isCancellableStage, toFulfilmentView, toOrderSummary, toOrderView } from './views';

const at = new Date('2026-01-01T10:00:00Z');

const fulfilment = (stage: FulfilmentStage, extra: Partial<FulfilmentDocument> = {}): FulfilmentDocument => ({
  _id: 'o_1',
  partition_key: 'u1',
  orderId: 'o_1',
  userId: 'u1',
  warehouse: 'main',
  stage,
  lines: [],
  shortLines: [],
  total: 100,
  currency: 'EUR',
  placedAt: at,
  payBy: new Date('2026-01-01T10:15:00Z'),
  paid: false,
  refundsDue: [],
  history: [{ stage: FULFILMENT_STAGE.Placed, at }],
  version: 1,
  ...extra,
});

const order: OrderDocument = {
  _id: 'o_1',
  partition_key: 'u1',
  userId: 'u1',
  lines: [
    { productId: 'a', qty: 2, unitPrice: 300 },
    { productId: 'b', qty: 1, unitPrice: 400 },
  ],
  currency: 'EUR',
  total: 1000,
  placedAt: at,
  deliveryAddress: { name: 'Sam', line1: 'Main 1', city: 'Berlin', postcode: '10115', country: 'DE' },
};

describe('isCancellableStage', () => {
  it.each(['Placed', 'Reserved', 'Backordered', 'Picking'] as const)('%s can be cancelled', (stage) => {
    expect(isCancellableStage(stage)).toBe(true);
  });
  it.each(['Shipped', 'Delivered', 'Cancelled', 'Expired', 'Failed'] as const)('%s cannot', (stage) => {
    expect(isCancellableStage(stage)).toBe(false);
  });
});

describe('toFulfilmentView', () => {
  it('shows stage, times as ISO strings and a refused cancellation', () => {
    const view = toFulfilmentView(
      fulfilment('Shipped', {
        paid: true,
        history: [
          { stage: 'Placed', at },
          { stage: 'Shipped', at, note: 'by truck' },
        ],
        cancellationRefused: { cancellationId: 'c_o_1', at, reason: 'already shipped' },
      }),
    );
    expect(view).toEqual({
      stage: 'Shipped',
      paid: true,
      payBy: '2026-01-01T10:15:00.000Z',
      history: [
        { stage: 'Placed', at: '2026-01-01T10:00:00.000Z' },
        { stage: 'Shipped', at: '2026-01-01T10:00:00.000Z', note: 'by truck' },
      ],
      cancellable: false,
      cancellationRefused: 'already shipped',
    });
  });
});

describe('toOrderView', () => {
  it('has line totals, headings from the catalog, payBy from the hold, and paid from an authorized payment', () => {
    const view = toOrderView({
      order,
      products: new Map([
        [
          'a',
          {
            id: 'a',
            category: 'c',
            heading: 'Apple',
            description: '',
            price: { amount: 1, currency: 'EUR' },
            position: 'normal',
          },
        ],
      ]),
      fulfilment: null,
      payments: [
        {
          _id: 'p1',
          partition_key: 'u1',
          orderId: 'o_1',
          userId: 'u1',
          provider: 'dev',
          amount: 1000,
          currency: 'EUR',
          status: 'declined',
          createdAt: at,
        },
        {
          _id: 'p2',
          partition_key: 'u1',
          orderId: 'o_1',
          userId: 'u1',
          provider: 'dev',
          amount: 1000,
          currency: 'EUR',
          status: 'authorized',
          createdAt: new Date('2026-01-01T10:01:00Z'),
        },
      ],
      cancellationRequested: false,
      holdMinutes: 15,
    });
    expect(view.lines).toEqual([
      { productId: 'a', heading: 'Apple', qty: 2, unitPrice: 300, lineTotal: 600 },
      { productId: 'b', heading: 'b', qty: 1, unitPrice: 400, lineTotal: 400 },
    ]);
    expect(view.payBy).toBe('2026-01-01T10:15:00.000Z');
    expect(view.payments.map((payment) => payment.id)).toEqual(['p2', 'p1']);
    expect(view.paid).toBe(true);
    expect(view.fulfilment).toBeNull();
  });
});

describe('toOrderSummary', () => {
  it('is Placed and unpaid until ordering has seen the order', () => {
    expect(toOrderSummary(order, undefined, false)).toEqual({
      id: 'o_1',
      placedAt: '2026-01-01T10:00:00.000Z',
      total: 1000,
      currency: 'EUR',
      itemCount: 3,
      stage: 'Placed',
      paid: false,
    });
    expect(toOrderSummary(order, fulfilment('Reserved', { paid: true }), false)).toMatchObject({
      stage: 'Reserved',
      paid: true,
    });
  });
});
