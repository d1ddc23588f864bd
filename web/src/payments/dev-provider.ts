import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PaymentProvider } from './provider';
import { readSignedEvent, signEvent } from './signed-events';

/** The published test numbers: one always authorizes, one is always declined. */
const DEV_CARDS = { authorize: '4242424242424242', decline: '4000000000000002' } as const;

/** Web serves the dev provider's payment page here (only when PAYMENT_PROVIDER=dev). */
export const DEV_CHECKOUT_PATH = '/dev-checkout';

/** What the dev page does with a card number: the two test cards, or null for any other number. */
export function devCardOutcome(cardNumber: string): 'authorized' | 'declined' | null {
  const digits = cardNumber.replace(/\s+/g, '');
  if (digits === DEV_CARDS.authorize) return 'authorized';
  if (digits === DEV_CARDS.decline) return 'declined';
  return null;
}

export interface DevPaymentProvider extends PaymentProvider {
  /**
   * What the provider's side does when the shopper submits its page: the webhook it would send, as
   * a Stripe-shaped event signed with this process's secret, for web's webhook code to receive.
   */
  completeCheckout(
    payment: { paymentId: string; reference: string },
    outcome: 'authorized' | 'declined',
  ): {
    rawBody: Buffer;
    signature: string;
  };
}

/**
 * A provider with no network that follows the real flow: its checkout page is web's own
 * (`DEV_CHECKOUT_PATH`), it confirms through a signed webhook, and refunds are only recorded.
 * The signing secret is random per process: nothing outside this process can sign a dev payment.
 */
export function devPaymentProvider({ baseUrl }: { baseUrl: string }): DevPaymentProvider {
  const secret = randomBytes(32).toString('hex');
  return {
    name: 'dev',
    // The dev page sends the shopper on itself, so it needs neither successUrl nor cancelUrl.
    async createCheckout({ paymentId }) {
      return {
        reference: `cs_dev_${paymentId}`,
        redirectUrl: `${baseUrl}${DEV_CHECKOUT_PATH}/${encodeURIComponent(paymentId)}`,
      };
    },
    readWebhook: (rawBody, signature) => readSignedEvent(rawBody, signature, secret),
    async refund({ idempotencyKey }) {
      const id = createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 22);
      return { providerRefundId: `re_dev_${id}`, status: 'succeeded' };
    },
    completeCheckout({ paymentId, reference }, outcome) {
      const event = {
        id: `evt_dev_${randomUUID()}`,
        object: 'event',
        type:
          outcome === 'authorized' ? 'checkout.session.completed' : 'checkout.session.async_payment_failed',
        data: {
          object: {
            id: reference,
            object: 'checkout.session',
            client_reference_id: paymentId,
            payment_intent: outcome === 'authorized' ? `pi_dev_${paymentId}` : null,
            payment_status: outcome === 'authorized' ? 'paid' : 'unpaid',
          },
        },
      };
      const payload = JSON.stringify(event);
      return { rawBody: Buffer.from(payload), signature: signEvent(payload, secret) };
    },
  };
}

export function isDevProvider(provider: PaymentProvider): provider is DevPaymentProvider {
  return provider.name === 'dev' && 'completeCheckout' in provider;
}
