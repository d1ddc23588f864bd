import {
  type FulfilmentDocument,
  type Handler,
  isDuplicateKey,
  type Logger,
  PAYMENTS,
  type PaymentDocument,
  REFUNDS,
  type RefundDocument,
  type RefundDue,
  withTraceparent,
} from '@az-shop/common';
import type { Db } from 'mongodb';
import type { PaymentProvider } from './provider';

export interface RefundDeps {
  db: Db;
  provider: PaymentProvider;
  logger: Logger;
  now?: () => Date;
}

/** The provider's idempotency key of a refund: one per payment, so any number of tries refunds once. */
const refundKeyOf = (paymentId: string) => `refund:${paymentId}`;

/** Change-stream filter: fulfilments that owe money back (the handler skips those already refunded). */
export const REFUNDS_DUE_PIPELINE = [{ $match: { 'fullDocument.refundsDue.0': { $exists: true } } }];

/**
 * Gives back what ordering says is owed: each `refundsDue` entry of a fulfilment not yet in `refunds`
 * is refunded through the provider (idempotency key per payment) and recorded. Ordering owns
 * `fulfilments`; web only reads them and writes `refunds`.
 */
export function refundHandler({ db, provider, logger, now = () => new Date() }: RefundDeps): Handler {
  const payments = db.collection<PaymentDocument>(PAYMENTS);
  const refunds = db.collection<RefundDocument>(REFUNDS);

  async function refundOnce(fulfilment: FulfilmentDocument, due: RefundDue): Promise<void> {
    if (await refunds.findOne({ _id: due.paymentId }, { projection: { _id: 1 } })) return;
    const payment = await payments.findOne({ _id: due.paymentId });
    // Thrown, not skipped: after its retries the event is parked for a person to look at, never lost.
    if (!payment?.providerPaymentId || payment.provider !== provider.name)
      throw new Error(`refund due for payment ${due.paymentId}, which ${provider.name} cannot refund`);
    const result = await provider.refund({
      providerPaymentId: payment.providerPaymentId,
      amount: due.amount,
      currency: due.currency,
      idempotencyKey: refundKeyOf(due.paymentId),
    });
    try {
      await refunds.insertOne(
        withTraceparent({
          _id: due.paymentId,
          partition_key: fulfilment.partition_key,
          orderId: fulfilment._id,
          paymentId: due.paymentId,
          provider: provider.name,
          amount: due.amount,
          currency: due.currency,
          providerRefundId: result.providerRefundId,
          status: result.status,
          reason: due.reason,
          refundedAt: now(),
        }),
      );
      logger.info({ orderId: fulfilment._id, paymentId: due.paymentId }, 'refunded');
    } catch (error) {
      // A concurrent run refunded it too: the provider's idempotency made that the same refund.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  return async (event) => {
    // Ordering's own document, read as it wrote it (its schema is checked where it is written).
    const fulfilment = event.fullDocument as FulfilmentDocument | null;
    if (!fulfilment) return;
    for (const due of fulfilment.refundsDue ?? []) await refundOnce(fulfilment, due);
  };
}
