import {
  isDuplicateKey,
  type Logger,
  PAYMENTS,
  type PaymentDocument,
  traceparentField,
} from '@az-shop/common';
import type { Db } from 'mongodb';
import type { PaymentProvider, WebhookEvent } from './provider';

/** Every webhook event received, by provider and event id (web owns it): deliveries are applied once. */
export const PAYMENT_EVENTS = 'payment_events';

export interface PaymentEventDocument {
  /** `<provider>:<event id>` */
  _id: string;
  partition_key: string;
  provider: string;
  type: string;
  paymentId?: string;
  receivedAt: Date;
  /** Set once the event has changed what it changes; a delivery without it is applied again. */
  appliedAt?: Date;
}

export type WebhookResult = 'applied' | 'replayed';

export interface WebhookReceiverDeps {
  db: Db;
  provider: PaymentProvider;
  logger: Pick<Logger, 'warn'>;
  now?: () => Date;
}

/**
 * Receives the provider's webhooks: verified (400 and nothing written when not), recorded by event
 * id first, then applied with conditional updates that never move a payment back, then marked
 * applied. A failure while applying throws (5xx), so the provider delivers the event again and the
 * idempotent apply is repeated; a delivery of an applied event changes nothing.
 */
export function webhookReceiver({ db, provider, logger, now = () => new Date() }: WebhookReceiverDeps) {
  const events = db.collection<PaymentEventDocument>(PAYMENT_EVENTS);
  const payments = db.collection<PaymentDocument>(PAYMENTS);

  async function record(event: WebhookEvent): Promise<PaymentEventDocument | null> {
    const doc: PaymentEventDocument = {
      _id: `${provider.name}:${event.id}`,
      partition_key: event.paymentId ?? event.id,
      provider: provider.name,
      type: event.type,
      ...(event.paymentId && { paymentId: event.paymentId }),
      receivedAt: now(),
    };
    try {
      await events.insertOne(doc);
      return null;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return events.findOne({ _id: doc._id });
    }
  }

  /** Moves the payment forward only: pending → declined, pending or declined → authorized (money taken wins). */
  async function apply(event: WebhookEvent): Promise<void> {
    if (event.outcome === 'ignored' || !event.paymentId) return;
    const filter = { _id: event.paymentId, provider: provider.name, providerReference: event.reference };
    if (event.outcome === 'declined') {
      await payments.updateOne(
        { ...filter, status: 'pending' },
        { $set: { status: 'declined', updatedAt: now(), ...traceparentField() } },
      );
      return;
    }
    const taken = {
      updatedAt: now(),
      ...traceparentField(),
      ...(event.providerPaymentId && { providerPaymentId: event.providerPaymentId }),
    };
    const forward = { ...filter, status: { $in: ['pending' as const, 'declined' as const] } };
    try {
      await payments.updateOne(forward, { $set: { status: 'authorized', ...taken } });
    } catch (error) {
      // one_authorized_per_order: another attempt of this order was authorized first.
      if (!isDuplicateKey(error)) throw error;
      await payments.updateOne(forward, { $set: { status: 'duplicate', ...taken } });
      logger.warn({ paymentId: event.paymentId }, 'second payment of an order authorized: refund due');
    }
  }

  return async function receive(rawBody: Buffer, signature: string | undefined): Promise<WebhookResult> {
    const event = provider.readWebhook(rawBody, signature);
    const seen = await record(event);
    if (seen?.appliedAt) return 'replayed';
    await apply(event);
    await events.updateOne({ _id: `${provider.name}:${event.id}` }, { $set: { appliedAt: now() } });
    return 'applied';
  };
}

export type WebhookReceiver = ReturnType<typeof webhookReceiver>;
