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
  withTraceparent,
} from '@az-shop/common';
import type { Db } from 'mongodb';
import type { CartService } from '../cart/service';
import { checkInput, invalidInput } from '../forms/validate';
import type { Product } from '../products/product';
import type { ProductRepository } from '../products/repository';
import type { FulfilmentView, OrderSummaryView, OrderView } from '../ui/data';
import { cancellationIdFor, orderIdFor } from './ids';
import { CHECKOUT_HINTS, CheckoutBody } from './inputs';
import { placeOrder } from './place';
import { isOpenAndUnpaid, type UnpaidCap, unpaidCapRefusal } from './unpaid-cap';
import { isCancellableStage, toFulfilmentView, toOrderSummary, toOrderView } from './views';

/** Orders a user sees at once in "my orders" (newest first). */
const LIST_LIMIT = 100;

export interface CheckoutOutcome {
  orderId: string;
  /** false when this idempotency key had already placed the order (a repeat). */
  created: boolean;
}

/** Orders of signed-in users: checkout, reading them with what ordering says, cancelling. */
export interface OrderService {
  /** 400 (with field `details`) for a bad body, 409 for an empty cart or too much left unpaid. */
  checkout(userId: string, cartId: string, input: unknown): Promise<CheckoutOutcome>;
  list(userId: string): Promise<OrderSummaryView[]>;
  /** The user's order, or null (someone else's order is null too). */
  find(userId: string, orderId: string): Promise<OrderDocument | null>;
  view(userId: string, orderId: string): Promise<OrderView | null>;
  fulfilment(orderId: string): Promise<FulfilmentView | null>;
  /** 404 for an order that is not the user's, 409 once ordering can no longer honour it. */
  requestCancellation(userId: string, orderId: string): Promise<void>;
}

export interface OrderServiceDeps {
  db: Db;
  products: ProductRepository;
  carts: CartService;
  holdMinutes: number;
  unpaidCap: UnpaidCap;
  now?: () => Date;
}

export function orderService({
  db,
  products,
  carts,
  holdMinutes,
  unpaidCap,
  now = () => new Date(),
}: OrderServiceDeps): OrderService {
  const orders = db.collection<OrderDocument>(ORDERS);
  const fulfilments = db.collection<FulfilmentDocument>(FULFILMENTS);
  const payments = db.collection<PaymentDocument>(PAYMENTS);
  const cancellations = db.collection<OrderCancellationDocument>(ORDER_CANCELLATIONS);

  const find = (userId: string, orderId: string) =>
    orders.findOne({ _id: orderId, partition_key: userId, userId });

  /** The user's orders still waiting for payment (see unpaid-cap.ts); only those before payBy are read. */
  async function openUnpaid(userId: string, at: Date): Promise<OrderDocument[]> {
    const recent = await orders.find({ partition_key: userId, userId, payBy: { $gt: at } }).toArray();
    const ids = recent.map((order) => order._id);
    if (ids.length === 0) return [];
    const [states, authorized, asked] = await Promise.all([
      fulfilments.find({ _id: { $in: ids } }, { projection: { stage: 1, paid: 1 } }).toArray(),
      payments
        .find({ orderId: { $in: ids }, status: 'authorized' }, { projection: { orderId: 1 } })
        .toArray(),
      cancellations.find({ orderId: { $in: ids } }, { projection: { orderId: 1 } }).toArray(),
    ]);
    const byOrder = new Map(states.map((state) => [state._id, state]));
    const paid = new Set(authorized.map((payment) => payment.orderId));
    const cancelled = new Set(asked.map((cancellation) => cancellation.orderId));
    return recent.filter((order) =>
      isOpenAndUnpaid(
        {
          order,
          fulfilment: byOrder.get(order._id) ?? null,
          paid: paid.has(order._id),
          cancellationRequested: cancelled.has(order._id),
        },
        at,
      ),
    );
  }

  /**
   * The ordered products as the order page names them: the order keeps its own prices, so the
   * catalog's cached reads serve (`findById`, one cached entry per product), not a query per view.
   */
  async function headingsOf(ids: readonly string[]): Promise<Map<string, Product>> {
    const found = await Promise.all(ids.map((id) => products.findById(id)));
    return new Map(found.flatMap((product) => (product ? [[product.id, product] as const] : [])));
  }

  return {
    async checkout(userId, cartId, input) {
      const checked = checkInput(CheckoutBody, input, CHECKOUT_HINTS);
      if (!checked.ok) throw invalidInput(checked.problems);
      const orderId = orderIdFor(userId, checked.value.idempotencyKey);
      if (await find(userId, orderId)) return { orderId, created: false };
      const cart = await carts.find(cartId);
      const lines = cart?.lines ?? [];
      const catalog = await products.findByIds(lines.map((line) => line.productId));
      const placed = placeOrder({
        userId,
        lines,
        products: catalog,
        checkout: checked.value,
        now: now(),
        holdMinutes,
      });
      if (!placed.ok) throw new Errors.Conflict(placed.reason);
      // Two checkouts of one user at the same moment may both pass; the checkout rate limit bounds that.
      const refusal = unpaidCapRefusal(
        await openUnpaid(userId, placed.order.placedAt),
        placed.order,
        unpaidCap,
      );
      if (refusal) throw new Errors.Conflict(refusal);
      try {
        await orders.insertOne(withTraceparent(placed.order));
      } catch (error) {
        // The same key submitted twice at once: the other request placed it.
        if (isDuplicateKey(error)) return { orderId, created: false };
        throw error;
      }
      await carts.removeOrdered(cartId, placed.order.lines);
      return { orderId, created: true };
    },

    async list(userId) {
      const mine = await orders
        .find({ partition_key: userId, userId })
        .sort({ placedAt: -1, _id: 1 })
        .limit(LIST_LIMIT)
        .toArray();
      const ids = mine.map((order) => order._id);
      const [states, authorized] = await Promise.all([
        fulfilments.find({ _id: { $in: ids } }).toArray(),
        payments
          .find({ orderId: { $in: ids }, status: 'authorized' }, { projection: { orderId: 1 } })
          .toArray(),
      ]);
      const byOrder = new Map(states.map((state) => [state._id, state]));
      const paid = new Set(authorized.map((payment) => payment.orderId));
      return mine.map((order) => toOrderSummary(order, byOrder.get(order._id), paid.has(order._id)));
    },

    find,

    async view(userId, orderId) {
      const order = await find(userId, orderId);
      if (!order) return null;
      const [catalog, fulfilment, attempts, cancellation] = await Promise.all([
        headingsOf(order.lines.map((line) => line.productId)),
        fulfilments.findOne({ _id: orderId }),
        payments.find({ orderId, partition_key: userId }).toArray(),
        cancellations.findOne({ _id: cancellationIdFor(orderId) }, { projection: { _id: 1 } }),
      ]);
      return toOrderView({
        order,
        products: catalog,
        fulfilment,
        payments: attempts,
        cancellationRequested: cancellation !== null,
        holdMinutes,
      });
    },

    async fulfilment(orderId) {
      const doc = await fulfilments.findOne({ _id: orderId });
      return doc ? toFulfilmentView(doc) : null;
    },

    async requestCancellation(userId, orderId) {
      const order = await find(userId, orderId);
      if (!order) throw new Errors.NotFound('Order');
      const fulfilment = await fulfilments.findOne({ _id: orderId }, { projection: { stage: 1 } });
      if (fulfilment && !isCancellableStage(fulfilment.stage))
        throw new Errors.Conflict(`The order can no longer be cancelled (${fulfilment.stage})`);
      try {
        await cancellations.insertOne(
          withTraceparent({
            _id: cancellationIdFor(orderId),
            partition_key: userId,
            orderId,
            userId,
            requestedAt: now(),
          }),
        );
      } catch (error) {
        if (!isDuplicateKey(error)) throw error; // asked before: one request per order
      }
    },
  };
}
