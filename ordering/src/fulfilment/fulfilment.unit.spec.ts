import { describe, expect, it } from 'vitest';
import { decide } from './decide';
import { evolveAll } from './evolve';
import { isReadyToPick, payByFor } from './rules';
import {
  FULFILMENT_STAGE,
  type FulfilmentCommand,
  type FulfilmentEvent,
  type FulfilmentStage,
  isRejection,
  type PlacedOrder,
} from './types';

const t0 = new Date('2026-01-01T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function given(events: FulfilmentEvent[]) {
  const state = evolveAll(null, events);
  return {
    state,
    when(command: FulfilmentCommand, now = t0) {
      const decision = decide(command, state, now);
      const after = () => {
        if (isRejection(decision)) throw new Error(decision.reason);
        return evolveAll(state, decision);
      };
      return {
        decision,
        thenEvents: (expected: FulfilmentEvent[]) => expect(decision).toEqual(expected),
        thenRejected: (kind: string) => {
          expect(isRejection(decision) ? decision.kind : decision).toBe(kind);
        },
        thenStage: (stage: FulfilmentStage) => expect(after()?.stage).toBe(stage),
        after,
      };
    },
  };
}

const order: PlacedOrder = {
  orderId: 'o1',
  userId: 'u1',
  partitionKey: 'u1',
  warehouse: 'main',
  lines: [
    { productId: 'a', qty: 1, unitPrice: 300 },
    { productId: 'b', qty: 2, unitPrice: 300 },
    { productId: 'a', qty: 2, unitPrice: 300 },
  ],
  total: 1500,
  currency: 'EUR',
  placedAt: t0,
};
const catalog = { a: { amount: 300, currency: 'EUR' }, b: { amount: 300, currency: 'EUR' } };
const placeOrder: Extract<FulfilmentCommand, { type: 'PlaceOrder' }> = {
  type: 'PlaceOrder',
  order,
  holdMinutes: 15,
  catalog,
};
const placed: FulfilmentEvent = {
  type: 'FulfilmentPlaced',
  orderId: 'o1',
  userId: 'u1',
  warehouse: 'main',
  lines: [
    { productId: 'a', qty: 3, held: false },
    { productId: 'b', qty: 2, held: false },
  ],
  total: 1500,
  currency: 'EUR',
  placedAt: t0,
  payBy: at(15 * 60),
  at: t0,
};
const heldA: FulfilmentEvent = { type: 'LineHeld', productId: 'a', at: t0 };
const heldB: FulfilmentEvent = { type: 'LineHeld', productId: 'b', at: t0 };
const reserved: FulfilmentEvent[] = [heldA, heldB, { type: 'FulfilmentReserved', at: t0 }];
const backordered: FulfilmentEvent[] = [
  heldA,
  { type: 'FulfilmentBackordered', shortLines: [{ productId: 'b', qty: 2 }], at: t0 },
];
const paid: FulfilmentEvent = { type: 'PaymentAccepted', paymentId: 'pay1', at: at(60) };
const pay = (
  overrides: Partial<Extract<FulfilmentCommand, { type: 'AuthorizePayment' }>> = {},
): FulfilmentCommand => ({
  type: 'AuthorizePayment',
  paymentId: 'pay1',
  amount: 1500,
  currency: 'EUR',
  status: 'authorized',
  userId: 'u1',
  partitionKey: 'u1',
  ...overrides,
});
const picking: FulfilmentEvent = { type: 'PickingStarted', at: at(70), endsAt: at(80) };
const shipped: FulfilmentEvent = { type: 'FulfilmentShipped', at: at(80), deliverAt: at(110) };

describe('fulfilment decider', () => {
  describe('PlaceOrder', () => {
    it('places the order with lines of one product added together and payBy = placedAt + hold', () => {
      given([]).when(placeOrder).thenEvents([placed]);
      expect(payByFor(t0, 15)).toEqual(at(900));
    });

    it('keeps the payBy of the order when it has one', () => {
      const decision = decide({ ...placeOrder, order: { ...order, payBy: at(5) } }, null, t0);
      expect(decision).toEqual([{ ...placed, payBy: at(5) }]);
    });

    it('changes nothing when the fulfilment exists (re-delivered order)', () => {
      given([placed]).when(placeOrder).thenEvents([]);
    });

    it('fails a bad order with the reason the I/O layer found', () => {
      given([])
        .when({ ...placeOrder, problem: 'unknown product z' })
        .thenEvents([placed, { type: 'FulfilmentFailed', reason: 'unknown product z', at: t0 }]);
    });

    it.each([
      [[{ productId: 'a', qty: -1, unitPrice: 300 }], 'quantity -1 of a is not a positive whole number'],
      [[{ productId: 'a', qty: 0.5, unitPrice: 300 }], 'quantity 0.5 of a is not a positive whole number'],
      [[], 'the order has no lines'],
    ])('fails lines %j', (lines, reason) => {
      const result = given([]).when({ ...placeOrder, order: { ...order, lines } });
      result.thenStage(FULFILMENT_STAGE.Failed);
      expect(result.after()?.failure).toEqual({ reason });
    });
  });

  describe('PlaceOrder checks what web wrote', () => {
    const failsWith = (command: FulfilmentCommand, reason: string) => {
      const result = given([]).when(command);
      result.thenStage(FULFILMENT_STAGE.Failed);
      expect(result.after()?.failure).toEqual({ reason });
    };

    it('fails an order whose total is not the sum of qty × unit price', () => {
      failsWith(
        { ...placeOrder, order: { ...order, total: 1 } },
        'the total 1 is not the sum of its lines (1500)',
      );
    });

    it('fails an order whose unit prices were lowered but total kept', () => {
      const lines = order.lines.map((line) => ({ ...line, unitPrice: 0 }));
      failsWith(
        { ...placeOrder, order: { ...order, lines } },
        'the total 1500 is not the sum of its lines (0)',
      );
    });

    it('fails an order in another currency than its products are priced in', () => {
      failsWith(
        { ...placeOrder, order: { ...order, currency: 'JPY' } },
        'the order is in JPY, a is priced in EUR',
      );
      failsWith({ ...placeOrder, catalog: { a: catalog.a } }, 'no catalog price for b');
    });

    it('fails lines priced below the catalog with a total to match', () => {
      const lines = order.lines.map((line) => ({ ...line, unitPrice: 1 }));
      failsWith(
        { ...placeOrder, order: { ...order, lines, total: 5 } },
        "the unit price 1 of a is not the catalog's 300",
      );
    });

    it('accepts the checkout price of a product re-priced since the order was placed, within the hold period', () => {
      const repriced = { ...catalog, a: { amount: 350, currency: 'EUR', updatedAt: at(30) } };
      given([])
        .when({ ...placeOrder, catalog: repriced }, at(60))
        .thenEvents([{ ...placed, at: at(60) }]);
      const recurrencied = { ...catalog, b: { amount: 300, currency: 'USD', updatedAt: at(30) } };
      given([])
        .when({ ...placeOrder, catalog: recurrencied }, at(60))
        .thenStage(FULFILMENT_STAGE.Placed);
      // Re-priced before the order was placed: its price was the catalog's then.
      const before = { ...repriced, a: { ...repriced.a, updatedAt: at(-1) } };
      failsWith({ ...placeOrder, catalog: before }, "the unit price 300 of a is not the catalog's 350");
      // An order older than the hold period cannot still be on its way.
      const late = decide({ ...placeOrder, catalog: repriced }, null, at(16 * 60));
      expect(late).toContainEqual(expect.objectContaining({ type: 'FulfilmentFailed' }));
    });

    it("fails an order filed under another user's partition", () => {
      failsWith(
        { ...placeOrder, order: { ...order, partitionKey: 'u2' } },
        "the order's partition_key u2 is not its user u1",
      );
    });
  });

  describe('RecordAllocation', () => {
    it('goes to Reserved when every line is held', () => {
      given([placed])
        .when({ type: 'RecordAllocation', heldProductIds: ['a', 'b'] })
        .thenEvents(reserved);
    });

    it('goes to Backordered with the short lines when some are not held', () => {
      given([placed])
        .when({ type: 'RecordAllocation', heldProductIds: ['a'] })
        .thenEvents(backordered);
      const state = given([placed])
        .when({ type: 'RecordAllocation', heldProductIds: ['a'] })
        .after();
      expect(state?.shortLines).toEqual([{ productId: 'b', qty: 2 }]);
    });

    it('is refused once recorded', () => {
      given([placed, ...reserved])
        .when({ type: 'RecordAllocation', heldProductIds: ['a', 'b'] })
        .thenRejected('IllegalState');
    });

    it('is refused without a fulfilment', () => {
      given([]).when({ type: 'RecordAllocation', heldProductIds: [] }).thenRejected('NotFound');
    });
  });

  describe('AllocateLine (units from the backorder queue)', () => {
    it('reserves a backorder when its last short line is held', () => {
      given([placed, ...backordered])
        .when({ type: 'AllocateLine', productId: 'b' })
        .thenEvents([heldB, { type: 'FulfilmentReserved', at: t0 }]);
    });

    it('holds the line without a stage change while still Placed', () => {
      given([placed]).when({ type: 'AllocateLine', productId: 'b' }).thenEvents([heldB]);
    });

    it('changes nothing for a line already held', () => {
      given([placed, ...backordered])
        .when({ type: 'AllocateLine', productId: 'a' })
        .thenEvents([]);
    });

    it('is refused for a cancelled order (the I/O layer then gives the units back)', () => {
      given([placed, ...backordered, { type: 'FulfilmentCancelled', cancellationId: 'c1', at: t0 }])
        .when({ type: 'AllocateLine', productId: 'b' })
        .thenRejected('IllegalState');
    });

    it('is refused for a product not in the order', () => {
      given([placed, ...backordered])
        .when({ type: 'AllocateLine', productId: 'zz' })
        .thenRejected('NotFound');
    });
  });

  describe('AuthorizePayment', () => {
    it('marks the order paid', () => {
      given([placed, ...reserved])
        .when(pay(), at(60))
        .thenEvents([paid]);
      expect(given([placed, ...reserved, paid]).state).toMatchObject({
        paid: true,
        paidAt: at(60),
        paymentId: 'pay1',
      });
    });

    it.each(['declined', 'pending'])('ignores a %s payment', (status) => {
      given([placed, ...reserved])
        .when(pay({ status }))
        .thenEvents([]);
    });

    it('owes back a payment web marked duplicate, even before the first one is seen', () => {
      const state = given([placed, ...reserved])
        .when(pay({ paymentId: 'pay2', status: 'duplicate' }))
        .after();
      expect(state?.paid).toBe(false);
      expect(state?.refundsDue).toMatchObject([{ paymentId: 'pay2', reason: 'the order was already paid' }]);
    });

    it('ignores the same payment twice', () => {
      given([placed, ...reserved, paid])
        .when(pay())
        .thenEvents([]);
    });

    it('records a refund for a second payment', () => {
      const result = given([placed, ...reserved, paid]).when(pay({ paymentId: 'pay2' }), at(61));
      expect(result.decision).toEqual([
        {
          type: 'RefundDue',
          refund: {
            paymentId: 'pay2',
            amount: 1500,
            currency: 'EUR',
            reason: 'the order was already paid',
            at: at(61),
          },
        },
      ]);
      expect(
        given([placed, ...reserved, paid])
          .when(pay({ paymentId: 'pay2' }))
          .after()?.refundsDue,
      ).toHaveLength(1);
    });

    it('records a refund for a wrong amount and stays unpaid', () => {
      const state = given([placed, ...reserved])
        .when(pay({ amount: 1 }))
        .after();
      expect(state?.paid).toBe(false);
      expect(state?.refundsDue[0]?.reason).toBe('paid 1 EUR, the order is 1500 EUR');
    });

    it.each([
      ['Expired', { type: 'FulfilmentExpired', at: at(900) }],
      ['Cancelled', { type: 'FulfilmentCancelled', cancellationId: 'c1', at: t0 }],
    ] as const)('records a refund for a payment of an %s order', (stage, event) => {
      const state = given([placed, ...reserved, event as FulfilmentEvent])
        .when(pay())
        .after();
      expect(state?.refundsDue[0]?.reason).toBe(`the order is ${stage}`);
      expect(state?.stage).toBe(stage);
    });

    it('records the same refund once', () => {
      const refund: FulfilmentEvent = {
        type: 'RefundDue',
        refund: { paymentId: 'pay1', amount: 1, currency: 'EUR', reason: 'x', at: t0 },
      };
      given([placed, ...reserved, refund])
        .when(pay())
        .thenEvents([]);
    });

    it.each([
      ['userId', { userId: 'u2', partitionKey: 'u2' }],
      ['partition_key', { partitionKey: 'u2' }],
    ])('records a payment by another user (%s) as a refund due, never applied', (_field, payer) => {
      const result = given([placed, ...reserved]).when(pay(payer), at(61));
      expect(result.decision).toEqual([
        {
          type: 'RefundDue',
          refund: {
            paymentId: 'pay1',
            amount: 1500,
            currency: 'EUR',
            reason: "paid by another user than the order's",
            at: at(61),
          },
        },
      ]);
      expect(result.after()).toMatchObject({ paid: false, stage: FULFILMENT_STAGE.Reserved });
      // The owner's own payment still pays the order.
      expect(decide(pay({ paymentId: 'pay2' }), result.after(), at(62))).toEqual([
        { type: 'PaymentAccepted', paymentId: 'pay2', at: at(62) },
      ]);
    });

    it('accepts payment of a backorder', () => {
      given([placed, ...backordered])
        .when(pay(), at(60))
        .thenEvents([paid]);
    });
  });

  describe('RequestCancellation', () => {
    const cancel: FulfilmentCommand = {
      type: 'RequestCancellation',
      cancellationId: 'c1',
      userId: 'u1',
      partitionKey: 'u1',
    };

    it.each([
      ['Placed', [placed]],
      ['Reserved', [placed, ...reserved]],
      ['Backordered', [placed, ...backordered]],
      ['Picking', [placed, ...reserved, paid, picking]],
    ])('cancels from %s and releases the stock', (_stage, events) => {
      const state = given(events).when(cancel).after();
      expect(state?.stage).toBe(FULFILMENT_STAGE.Cancelled);
      expect(state?.stockPending).toBe('release');
    });

    it('records a refund when a paid order is cancelled', () => {
      const state = given([placed, ...reserved, paid])
        .when(cancel)
        .after();
      expect(state?.refundsDue.map((refund) => refund.reason)).toEqual(['the order was cancelled']);
    });

    it.each([
      ['Shipped', [placed, ...reserved, paid, picking, shipped]],
      [
        'Delivered',
        [placed, ...reserved, paid, picking, shipped, { type: 'FulfilmentDelivered', at: at(110) }],
      ],
      ['Expired', [placed, ...reserved, { type: 'FulfilmentExpired', at: at(900) }]],
    ] as [string, FulfilmentEvent[]][])('refuses after %s and records the refusal', (stage, events) => {
      const result = given(events).when(cancel, at(200));
      result.thenEvents([
        {
          type: 'CancellationRefused',
          cancellationId: 'c1',
          reason: `the order is already ${stage}`,
          at: at(200),
        },
      ]);
      expect(result.after()?.cancellationRefused?.cancellationId).toBe('c1');
      expect(result.after()?.stage).toBe(stage);
    });

    it.each([
      ['Reserved', [placed, ...reserved]],
      ['Cancelled', [placed, { type: 'FulfilmentCancelled', cancellationId: 'c0', at: t0 } as const]],
    ] as [string, FulfilmentEvent[]][])(
      'refuses a cancellation by another user when %s, records it apart, and once',
      (stage, events) => {
        const foreign = { ...cancel, cancellationId: 'cx', userId: 'u2', partitionKey: 'u2' };
        const result = given(events).when(foreign, at(200));
        result.thenEvents([
          { type: 'ForeignCancellationRefused', cancellationId: 'cx', userId: 'u2', at: at(200) },
        ]);
        const after = result.after();
        expect(after).toMatchObject({
          stage,
          foreignCancellationsRefused: [{ cancellationId: 'cx', userId: 'u2', at: at(200) }],
        });
        expect(after?.cancellationRefused).toBeUndefined();
        expect(after?.history.at(-1)?.note).toBe('cancellation cx refused: requested by another user');
        expect(decide(foreign, after, at(201))).toEqual([]);
      },
    );

    it("refuses a cancellation filed under another user's partition", () => {
      given([placed, ...reserved])
        .when({ ...cancel, partitionKey: 'u2' })
        .thenStage(FULFILMENT_STAGE.Reserved);
    });

    it('changes nothing when already cancelled or already refused', () => {
      given([placed, { type: 'FulfilmentCancelled', cancellationId: 'c1', at: t0 }])
        .when(cancel)
        .thenEvents([]);
      const refused = given([placed, ...reserved, paid, picking, shipped])
        .when(cancel)
        .after();
      expect(decide(cancel, refused, t0)).toEqual([]);
    });
  });

  describe('Expire', () => {
    it('expires an unpaid order at payBy and releases its stock', () => {
      const state = given([placed, ...reserved])
        .when({ type: 'Expire' }, at(900))
        .after();
      expect(state?.stage).toBe(FULFILMENT_STAGE.Expired);
      expect(state?.stockPending).toBe('release');
    });

    it('expires an unpaid backorder too', () => {
      given([placed, ...backordered])
        .when({ type: 'Expire' }, at(900))
        .thenStage(FULFILMENT_STAGE.Expired);
    });

    it('is refused before payBy', () => {
      given([placed, ...reserved])
        .when({ type: 'Expire' }, at(899))
        .thenRejected('NotYet');
    });

    it('never expires a paid order', () => {
      given([placed, ...backordered, paid])
        .when({ type: 'Expire' }, at(9999))
        .thenRejected('IllegalState');
    });

    it('is refused for a terminal order', () => {
      given([placed, { type: 'FulfilmentCancelled', cancellationId: 'c', at: t0 }])
        .when({ type: 'Expire' }, at(9999))
        .thenRejected('IllegalState');
    });
  });

  describe('StartPicking', () => {
    const start = (capacityClaimed = true): FulfilmentCommand => ({
      type: 'StartPicking',
      pickingSeconds: 10,
      capacityClaimed,
    });

    it('starts picking a paid, fully allocated order', () => {
      expect(isReadyToPick(given([placed, ...reserved, paid]).state!)).toBe(true);
      given([placed, ...reserved, paid])
        .when(start(), at(70))
        .thenEvents([picking]);
    });

    it('waits without picking capacity', () => {
      given([placed, ...reserved, paid])
        .when(start(false))
        .thenRejected('NoCapacity');
    });

    it.each([
      ['unpaid', [placed, ...reserved]],
      ['backordered', [placed, ...backordered, paid]],
    ])('is refused when %s', (_name, events) => {
      given(events).when(start()).thenRejected('IllegalState');
    });

    it('lets a paid backorder proceed once its stock arrives', () => {
      const state = evolveAll(null, [
        placed,
        ...backordered,
        paid,
        heldB,
        { type: 'FulfilmentReserved', at: t0 },
      ]);
      expect(decide(start(), state, at(70))).toEqual([picking]);
    });
  });

  describe('Ship and Deliver', () => {
    it('ships when picking is done, and takes the units off the shelf', () => {
      const result = given([placed, ...reserved, paid, picking]).when(
        { type: 'Ship', deliverySeconds: 30 },
        at(80),
      );
      result.thenEvents([shipped]);
      expect(result.after()?.stockPending).toBe('ship');
    });

    it('does not ship before picking is done, nor twice', () => {
      given([placed, ...reserved, paid, picking])
        .when({ type: 'Ship', deliverySeconds: 30 }, at(79))
        .thenRejected('NotYet');
      given([placed, ...reserved, paid, picking, shipped])
        .when({ type: 'Ship', deliverySeconds: 30 })
        .thenRejected('IllegalState');
    });

    it('delivers after the delivery delay', () => {
      given([placed, ...reserved, paid, picking, shipped])
        .when({ type: 'Deliver' }, at(110))
        .thenEvents([{ type: 'FulfilmentDelivered', at: at(110) }]);
      given([placed, ...reserved, paid, picking, shipped])
        .when({ type: 'Deliver' }, at(109))
        .thenRejected('NotYet');
      given([placed, ...reserved, paid, picking])
        .when({ type: 'Deliver' }, at(200))
        .thenRejected('IllegalState');
    });
  });

  describe('SettleStock', () => {
    it('clears the pending stock work once done', () => {
      const cancelled = [
        placed,
        ...reserved,
        { type: 'FulfilmentCancelled', cancellationId: 'c1', at: t0 } as const,
      ];
      const result = given(cancelled).when({ type: 'SettleStock' });
      result.thenEvents([{ type: 'StockSettled', at: t0 }]);
      expect(result.after()?.stockPending).toBeUndefined();
      given([placed]).when({ type: 'SettleStock' }).thenEvents([]);
    });
  });

  it('keeps the history of transitions with timestamps', () => {
    const state = evolveAll(null, [
      placed,
      ...reserved,
      paid,
      picking,
      shipped,
      { type: 'FulfilmentDelivered', at: at(110) },
    ]);
    expect(state?.history.map((entry) => [entry.stage, entry.at, entry.note])).toEqual([
      ['Placed', t0, undefined],
      ['Reserved', t0, undefined],
      ['Reserved', at(60), 'paid'],
      ['Picking', at(70), undefined],
      ['Shipped', at(80), undefined],
      ['Delivered', at(110), undefined],
    ]);
  });
});
