import Stripe from 'stripe';
import type { PaymentProvider } from './provider';
import { readSignedEvent } from './signed-events';

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** Another API origin (the tests' stand-in); Stripe's own when unset. */
  apiBase?: string;
}

/** The SDK's host settings for an origin such as `http://127.0.0.1:12111`. */
function hostOf(apiBase: string): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

/** Stripe Checkout with the official SDK: a hosted page per attempt, webhooks, refunds. */
export function stripePaymentProvider({
  secretKey,
  webhookSecret,
  apiBase,
}: StripeSettings): PaymentProvider {
  const stripe = new Stripe(secretKey, {
    ...(apiBase && hostOf(apiBase)),
    // Retries reuse the request's idempotency key, so a retried create or refund happens once.
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
  });
  return {
    name: 'stripe',
    async createCheckout({ paymentId, orderId, amount, currency, successUrl, cancelUrl }) {
      const session = await stripe.checkout.sessions.create(
        {
          mode: 'payment',
          client_reference_id: paymentId,
          metadata: { paymentId, orderId },
          payment_intent_data: { metadata: { paymentId, orderId } },
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: currency.toLowerCase(),
                unit_amount: amount,
                product_data: { name: `Order ${orderId}` },
              },
            },
          ],
          success_url: successUrl,
          cancel_url: cancelUrl,
        },
        { idempotencyKey: `checkout:${paymentId}` },
      );
      if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
      return { reference: session.id, redirectUrl: session.url };
    },
    readWebhook: (rawBody, signature) => readSignedEvent(rawBody, signature, webhookSecret),
    async refund({ providerPaymentId, amount, idempotencyKey }) {
      const refund = await stripe.refunds.create(
        { payment_intent: providerPaymentId, amount },
        { idempotencyKey },
      );
      return { providerRefundId: refund.id, status: refund.status ?? 'pending' };
    },
  };
}
