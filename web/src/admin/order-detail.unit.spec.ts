import type { FulfilmentDocument, OrderDocument, PaymentDocument } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { canCancel, toAdminOrderDetail } from './order-detail';

const placedAt = new Date('2026-01-01T10:00:00Z');
const order: OrderDocument = {
  _id: 'o_1',
  partition_key: 'u1',
  userId: 'u1',
  lines: [{ productId: 'chair', qty: 2, unitPrice: 100 }],
  currency: 'EUR',
  total: 200,
  placedAt,
};
const fulfilment = (overrides: Partial<FulfilmentDocument> = {}): FulfilmentDocument => ({
  _id: 'o_1',
  partition_key: 'u1',
  orderId: 'o_1',
  userId: 'u1',
  warehouse: 'main',
  stage: 'Cancelled',
  lines: [{ productId: 'chair', qty: 2, held: true }],
  shortLines: [],
  total: 200,
  currency: 'EUR',
  placedAt,
  payBy: new Date('2026-01-01T10:15:00Z'),
  paid: true,
  paymentId: 'p_1',
  refundsDue: [
    { paymentId: 'p_1', amount: 200, currency: 'EUR', reason: 'the order was cancelled', at: placedAt },
  ],
  history: [
    { stage: 'Placed', at: placedAt },
    { stage: 'Cancelled', at: placedAt, note: 'asked' },
  ],
  version: 3,
  ...overrides,
});
const payment: PaymentDocument = {
  _id: 'p_1',
  partition_key: 'u1',
  orderId: 'o_1',
  userId: 'u1',
  provider: 'dev',
  amount: 200,
  currency: 'EUR',
  status: 'authorized',
  cardLast4: '4242',
  createdAt: placedAt,
};

describe('toAdminOrderDetail', () => {
  const parts = {
    order,
    headings: new Map(),
    fulfilment: null,
    payments: [],
    refunds: [],
    cancellation: null,
    holdMinutes: 15,
  };
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('given the local span store and a traced order, then its trace is offered, and only then', () => {
    expect(toAdminOrderDetail({ ...parts, order: { ...order, traceparent }, traceStore: true }).traced).toBe(
      true,
    );
    // Production (no span store), or an order placed untraced: no link to a trace that is not there.
    expect(toAdminOrderDetail({ ...parts, order: { ...order, traceparent }, traceStore: false }).traced).toBe(
      false,
    );
    expect(toAdminOrderDetail({ ...parts, order, traceStore: true }).traced).toBe(false);
  });

  it('given a cancelled paid order, then it shows lines, payments, the timeline, the refund due and made, and who asked', () => {
    const detail = toAdminOrderDetail({
      order,
      headings: new Map([['chair', 'Oak chair']]),
      fulfilment: fulfilment(),
      payments: [payment],
      refunds: [
        {
          _id: 'p_1',
          partition_key: 'u1',
          orderId: 'o_1',
          paymentId: 'p_1',
          provider: 'dev',
          amount: 200,
          currency: 'EUR',
          providerRefundId: 're_1',
          status: 'succeeded',
          reason: 'the order was cancelled',
          refundedAt: placedAt,
        },
      ],
      cancellation: {
        _id: 'c_o_1',
        partition_key: 'u1',
        orderId: 'o_1',
        userId: 'u1',
        requestedAt: placedAt,
        requestedBy: { by: 'admin', sub: 'admin-0001', email: 'admin@example.com', name: 'Ada' },
      },
      holdMinutes: 15,
      traceStore: false,
    });
    expect(detail).toMatchObject({
      id: 'o_1',
      stage: 'Cancelled',
      paid: true,
      lines: [{ productId: 'chair', heading: 'Oak chair', qty: 2, unitPrice: 100, held: true }],
      payments: [{ id: 'p_1', status: 'authorized', last4: '4242' }],
      timeline: [{ stage: 'Placed' }, { stage: 'Cancelled', note: 'asked' }],
      refundsDue: [{ paymentId: 'p_1', amount: 200, refund: { status: 'succeeded' } }],
      cancellation: { requestedBy: { by: 'admin', sub: 'admin-0001', email: 'admin@example.com' } },
      cancellable: false,
    });
  });

  it('given an order ordering has not seen yet, then it has no stage, payBy from HOLD_MINUTES, and can be cancelled', () => {
    const detail = toAdminOrderDetail({ ...parts, traceStore: false });
    expect(detail).not.toHaveProperty('stage');
    expect(detail).toMatchObject({ payBy: '2026-01-01T10:15:00.000Z', timeline: [], cancellable: true });
    expect(detail.lines[0]).toEqual({ productId: 'chair', heading: 'chair', qty: 2, unitPrice: 100 });
  });
});

describe('canCancel', () => {
  it('is true before Shipped while nobody has asked, false once asked or shipped or ended', () => {
    expect(canCancel({ stage: 'Reserved' }, null)).toBe(true);
    expect(canCancel({ stage: 'Picking' }, null)).toBe(true);
    expect(canCancel(null, null)).toBe(true);
    expect(canCancel({ stage: 'Reserved' }, { _id: 'c' })).toBe(false);
    expect(canCancel({ stage: 'Shipped' }, null)).toBe(false);
    expect(canCancel({ stage: 'Expired' }, null)).toBe(false);
  });
});
