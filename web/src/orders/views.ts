import {
  FULFILMENT_STAGE,
  type FulfilmentDocument,
  type FulfilmentStage,
  type OrderDocument,
  type PaymentDocument,
  TERMINAL_FULFILMENT_STAGES,
} from '@az-shop/common';
import type { Product } from '../products/product';
import type { FulfilmentView, OrderSummaryView, OrderView, PaymentView } from '../ui/data';

/** Ordering honours a cancellation before Shipped and while the fulfilment has not ended. */
export function isCancellableStage(stage: FulfilmentStage): boolean {
  return stage !== FULFILMENT_STAGE.Shipped && !TERMINAL_FULFILMENT_STAGES.includes(stage);
}

export function toFulfilmentView(doc: FulfilmentDocument): FulfilmentView {
  const view: FulfilmentView = {
    stage: doc.stage,
    paid: doc.paid,
    payBy: doc.payBy.toISOString(),
    history: doc.history.map((entry) => ({
      stage: entry.stage,
      at: entry.at.toISOString(),
      ...(entry.note !== undefined && { note: entry.note }),
    })),
    cancellable: isCancellableStage(doc.stage),
  };
  if (doc.cancellationRefused) view.cancellationRefused = doc.cancellationRefused.reason;
  return view;
}

export function toPaymentView(doc: PaymentDocument): PaymentView {
  const view: PaymentView = { id: doc._id, status: doc.status, at: doc.createdAt.toISOString() };
  if (doc.cardLast4) view.last4 = doc.cardLast4;
  return view;
}

export function payByOf(order: OrderDocument, holdMinutes: number): Date {
  return order.payBy ?? new Date(order.placedAt.getTime() + Math.round(holdMinutes * 60_000));
}

export interface OrderViewParts {
  order: OrderDocument;
  products: ReadonlyMap<string, Product>;
  fulfilment: FulfilmentDocument | null;
  payments: readonly PaymentDocument[];
  cancellationRequested: boolean;
  holdMinutes: number;
}

export function toOrderView(parts: OrderViewParts): OrderView {
  const { order, products, fulfilment, payments } = parts;
  const view: OrderView = {
    id: order._id,
    placedAt: order.placedAt.toISOString(),
    payBy: payByOf(order, parts.holdMinutes).toISOString(),
    lines: order.lines.map((line) => ({
      productId: line.productId,
      heading: products.get(line.productId)?.heading ?? line.productId,
      qty: line.qty,
      unitPrice: line.unitPrice,
      lineTotal: line.qty * line.unitPrice,
    })),
    total: order.total,
    currency: order.currency,
    // Orders placed by web always carry an address; an imported one without shows empty fields.
    deliveryAddress: order.deliveryAddress ?? { name: '', line1: '', city: '', postcode: '', country: '' },
    fulfilment: fulfilment ? toFulfilmentView(fulfilment) : null,
    payments: [...payments].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).map(toPaymentView),
    paid: payments.some((payment) => payment.status === 'authorized'),
    cancellationRequested: parts.cancellationRequested,
  };
  return view;
}

export function toOrderSummary(
  order: OrderDocument,
  fulfilment: FulfilmentDocument | undefined,
  paid: boolean,
): OrderSummaryView {
  return {
    id: order._id,
    placedAt: order.placedAt.toISOString(),
    total: order.total,
    currency: order.currency,
    itemCount: order.lines.reduce((sum, line) => sum + line.qty, 0),
    stage: fulfilment?.stage ?? FULFILMENT_STAGE.Placed,
    paid: paid || (fulfilment?.paid ?? false),
  };
}
