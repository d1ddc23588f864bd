import {
  type FulfilmentDocument,
  type FulfilmentStage,
  type OrderCancellationDocument,
  type OrderDocument,
  type PaymentDocument,
  parseTraceparent,
  type RefundDocument,
} from '@az-shop/common';
import { isCancellableStage, payByOf } from '../orders/views';

/** An order as the back office shows it: any user's, with everything web and ordering know of it. */
export interface AdminOrderDetail {
  id: string;
  userId: string;
  placedAt: string;
  payBy: string;
  total: number;
  currency: string;
  warehouse?: string;
  /** Undefined until ordering has seen the order. */
  stage?: FulfilmentStage;
  paid: boolean;
  lines: { productId: string; heading: string; qty: number; unitPrice: number; held?: boolean }[];
  payments: {
    id: string;
    provider: string;
    status: string;
    amount: number;
    currency: string;
    createdAt: string;
    updatedAt?: string;
    last4?: string;
  }[];
  timeline: { stage: FulfilmentStage; at: string; note?: string }[];
  refundsDue: {
    paymentId: string;
    amount: number;
    currency: string;
    reason: string;
    at: string;
    /** The provider's refund, once web has made it. */
    refund?: { status: string; refundedAt: string };
  }[];
  cancellation: { requestedAt: string; requestedBy?: { by: 'admin'; sub: string; email?: string } } | null;
  cancellationRefused?: string;
  failure?: string;
  /** An admin may still ask for cancellation: ordering would honour it and nobody has asked yet. */
  cancellable: boolean;
  /** Its trace can be drawn: the local span store is on (development) and the order was placed traced. */
  traced: boolean;
}

export interface DetailParts {
  order: OrderDocument;
  headings: ReadonlyMap<string, string>;
  fulfilment: FulfilmentDocument | null;
  payments: readonly PaymentDocument[];
  refunds: readonly RefundDocument[];
  cancellation: OrderCancellationDocument | null;
  holdMinutes: number;
  /** Whether the local span store keeps traces (`TRACE_STORE=mongo`, development only). */
  traceStore: boolean;
}

/** Whether an admin's cancellation would be new and honoured (no fulfilment yet: ordering decides). */
export function canCancel(
  fulfilment: Pick<FulfilmentDocument, 'stage'> | null,
  cancellation: unknown | null,
): boolean {
  return cancellation === null && (fulfilment === null || isCancellableStage(fulfilment.stage));
}

export function toAdminOrderDetail(parts: DetailParts): AdminOrderDetail {
  const { order, fulfilment, cancellation } = parts;
  const held = new Map(fulfilment?.lines.map((line) => [line.productId, line.held]) ?? []);
  const refunded = new Map(parts.refunds.map((refund) => [refund.paymentId, refund]));
  const requestedBy = cancellation?.requestedBy;
  return {
    id: order._id,
    userId: order.userId,
    placedAt: order.placedAt.toISOString(),
    payBy: (fulfilment?.payBy ?? payByOf(order, parts.holdMinutes)).toISOString(),
    total: order.total,
    currency: order.currency,
    ...((fulfilment?.warehouse ?? order.warehouse) && {
      warehouse: fulfilment?.warehouse ?? order.warehouse,
    }),
    ...(fulfilment && { stage: fulfilment.stage }),
    paid: fulfilment?.paid ?? false,
    lines: order.lines.map((line) => ({
      productId: line.productId,
      heading: parts.headings.get(line.productId) ?? line.productId,
      qty: line.qty,
      unitPrice: line.unitPrice,
      ...(held.has(line.productId) && { held: held.get(line.productId) }),
    })),
    payments: [...parts.payments]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((payment) => ({
        id: payment._id,
        provider: payment.provider,
        status: payment.status,
        amount: payment.amount,
        currency: payment.currency,
        createdAt: payment.createdAt.toISOString(),
        ...(payment.updatedAt && { updatedAt: payment.updatedAt.toISOString() }),
        ...(payment.cardLast4 && { last4: payment.cardLast4 }),
      })),
    timeline: (fulfilment?.history ?? []).map((entry) => ({
      stage: entry.stage,
      at: entry.at.toISOString(),
      ...(entry.note !== undefined && { note: entry.note }),
    })),
    refundsDue: (fulfilment?.refundsDue ?? []).map((due) => {
      const refund = refunded.get(due.paymentId);
      return {
        paymentId: due.paymentId,
        amount: due.amount,
        currency: due.currency,
        reason: due.reason,
        at: due.at.toISOString(),
        ...(refund && { refund: { status: refund.status, refundedAt: refund.refundedAt.toISOString() } }),
      };
    }),
    cancellation: cancellation
      ? {
          requestedAt: cancellation.requestedAt.toISOString(),
          ...(requestedBy && {
            requestedBy: {
              by: requestedBy.by,
              sub: requestedBy.sub,
              ...(requestedBy.email && { email: requestedBy.email }),
            },
          }),
        }
      : null,
    ...(fulfilment?.cancellationRefused && { cancellationRefused: fulfilment.cancellationRefused.reason }),
    ...(fulfilment?.failure && { failure: fulfilment.failure.reason }),
    cancellable: canCancel(fulfilment, cancellation),
    traced: parts.traceStore && parseTraceparent(order.traceparent) !== undefined,
  };
}
