import {
  Errors,
  FULFILMENTS,
  type FulfilmentDocument,
  isDuplicateKey,
  ORDER_CANCELLATIONS,
  ORDERS,
  type OrderCancellationDocument,
  type OrderDocument,
  PAYMENTS,
  type PaymentDocument,
  REFUNDS,
  type RefundDocument,
  withTraceparent,
} from '@az-shop/common';
import type { Db } from 'mongodb';
import { cancellationIdFor } from '../orders/ids';
import type { ProductRepository } from '../products/repository';
import type { Actor } from './actor';
import type { AuditLog } from './audit';
import { BOARD_STAGES, buildBoard, HOLDING_STAGES, type OrderBoard } from './board';
import { type AdminOrderDetail, canCancel, toAdminOrderDetail } from './order-detail';

/** Cards per board column: the newest this many; the column's total counts all. */
export const BOARD_COLUMN_LIMIT = 50;

export interface AdminOrders {
  board(): Promise<OrderBoard>;
  /** Any user's order; 404 when there is none. */
  detail(orderId: string): Promise<AdminOrderDetail>;
  /**
   * Asks ordering to cancel the order as its own user would, naming the admin; 404 for no order,
   * 409 when ordering would refuse it or a cancellation was already asked for. Audited.
   */
  cancel(actor: Actor, orderId: string, reason?: string): Promise<{ cancellationId: string }>;
}

export interface AdminOrdersDeps {
  db: Db;
  products: ProductRepository;
  audit: AuditLog;
  pickingCapacity: number;
  holdMinutes: number;
  /** Whether the local span store keeps traces (development): the detail then offers the order's trace. */
  traceStore: boolean;
  now?: () => Date;
}

export function adminOrders({
  db,
  products,
  audit,
  pickingCapacity,
  holdMinutes,
  traceStore,
  now = () => new Date(),
}: AdminOrdersDeps): AdminOrders {
  const orders = db.collection<OrderDocument>(ORDERS);
  const fulfilments = db.collection<FulfilmentDocument>(FULFILMENTS);
  const payments = db.collection<PaymentDocument>(PAYMENTS);
  const refunds = db.collection<RefundDocument>(REFUNDS);
  const cancellations = db.collection<OrderCancellationDocument>(ORDER_CANCELLATIONS);

  async function findOrder(orderId: string): Promise<OrderDocument> {
    const order = await orders.findOne({ _id: orderId });
    if (!order) throw new Errors.NotFound('Order');
    return order;
  }

  return {
    async board() {
      const at = now();
      const [counts, columns, oldestUnpaid] = await Promise.all([
        // A count per stage: each one an index count on ordering's `stage`-first indexes, where a
        // `$group` would read every fulfilment ever made once a second.
        Promise.all(
          BOARD_STAGES.map((stage) =>
            fulfilments.countDocuments({ stage }).then((count) => [stage, count] as const),
          ),
        ),
        // One query per column, on ordering's `board` index ({ stage, placedAt: -1 }).
        Promise.all(
          BOARD_STAGES.map((stage) =>
            fulfilments
              .find({ stage })
              .sort({ placedAt: -1 })
              .limit(BOARD_COLUMN_LIMIT)
              .toArray()
              .then((docs) => [stage, docs] as const),
          ),
        ),
        // The first to expire is the one placed first (payBy = placedAt + HOLD_MINUTES).
        fulfilments.findOne(
          { stage: { $in: [...HOLDING_STAGES] }, paid: false, 'lines.held': true },
          { sort: { payBy: 1, _id: 1 } },
        ),
      ]);
      return buildBoard({
        counts: new Map(counts),
        newest: new Map(columns),
        pickingCapacity,
        oldestUnpaid,
        now: at,
      });
    },

    async detail(orderId) {
      const order = await findOrder(orderId);
      const [catalog, fulfilment, attempts, refunded, cancellation] = await Promise.all([
        products.findByIds(order.lines.map((line) => line.productId)),
        fulfilments.findOne({ _id: orderId }),
        payments.find({ orderId }).toArray(),
        refunds.find({ orderId }).toArray(),
        cancellations.findOne({ _id: cancellationIdFor(orderId) }),
      ]);
      return toAdminOrderDetail({
        order,
        headings: new Map([...catalog].map(([id, product]) => [id, product.heading])),
        fulfilment,
        payments: attempts,
        refunds: refunded,
        cancellation,
        holdMinutes,
        traceStore,
      });
    },

    async cancel(actor, orderId, reason) {
      const order = await findOrder(orderId);
      const cancellationId = cancellationIdFor(orderId);
      const [fulfilment, asked] = await Promise.all([
        fulfilments.findOne({ _id: orderId }, { projection: { stage: 1 } }),
        cancellations.findOne({ _id: cancellationId }, { projection: { _id: 1 } }),
      ]);
      if (asked) throw new Errors.Conflict('A cancellation of this order was already requested');
      if (!canCancel(fulfilment, null))
        throw new Errors.Conflict(`The order can no longer be cancelled (${fulfilment?.stage})`);
      const requestedAt = now();
      try {
        // As the order's own user: ordering honours only those (the admin is named beside it).
        await cancellations.insertOne(
          withTraceparent({
            _id: cancellationId,
            partition_key: order.userId,
            orderId,
            userId: order.userId,
            requestedAt,
            ...(reason && { reason }),
            requestedBy: {
              by: 'admin',
              sub: actor.sub,
              ...(actor.email && { email: actor.email }),
              name: actor.name,
            },
          }),
        );
      } catch (error) {
        if (isDuplicateKey(error))
          throw new Errors.Conflict('A cancellation of this order was already requested');
        throw error;
      }
      await audit.record({
        _id: `order:${orderId}:cancel`,
        at: requestedAt,
        actor,
        action: 'order.cancel',
        target: { kind: 'order', id: orderId },
        changes: {
          cancellationId,
          userId: order.userId,
          stage: fulfilment?.stage ?? 'unknown',
          ...(reason && { reason }),
        },
      });
      return { cancellationId };
    },
  };
}
