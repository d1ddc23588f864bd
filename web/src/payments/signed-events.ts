import { Errors } from '@az-shop/common';
import Stripe from 'stripe';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import type { WebhookEvent } from './provider';

/** A webhook whose signature does not verify, or whose body is not an event we can read: 400, nothing applied. */
export function webhookRejected(message: string) {
  return new Errors.Validation(message);
}

/** Stripe sends `null` for ids that are not set. */
const OptionalId = Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()]));

/** The parts of a Stripe event (and of the dev provider's, which has the same shape) that web reads. */
const SignedEvent = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255 }),
  type: Type.String({ minLength: 1, maxLength: 255 }),
  data: Type.Object({ object: Type.Object({}) }),
});

const CheckoutSessionObject = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255 }),
  object: Type.Literal('checkout.session'),
  client_reference_id: OptionalId,
  payment_intent: OptionalId,
  payment_status: Type.Optional(Type.String()),
});
type CheckoutSessionObject = Static<typeof CheckoutSessionObject>;

/** Checkout Session events and what each means for the attempt; every other type is ignored. */
const OUTCOMES: Record<string, (session: CheckoutSessionObject) => WebhookEvent['outcome']> = {
  // 'unpaid': an asynchronous method (a bank debit) is still on its way; async_payment_* follows.
  'checkout.session.completed': (session) => (session.payment_status === 'unpaid' ? 'ignored' : 'authorized'),
  'checkout.session.async_payment_succeeded': () => 'authorized',
  'checkout.session.async_payment_failed': () => 'declined',
  'checkout.session.expired': () => 'declined',
};

export const SIGNATURE_HEADER = 'stripe-signature';

/**
 * Verifies a webhook signed with Stripe's scheme (HMAC-SHA256 of `timestamp.body`, five minutes of
 * tolerance) with the official SDK, then reads it. Both providers sign this way.
 */
export function readSignedEvent(
  rawBody: Buffer,
  signature: string | undefined,
  secret: string,
): WebhookEvent {
  let parsed: unknown;
  try {
    parsed = Stripe.webhooks.constructEvent(rawBody, signature ?? '', secret);
  } catch {
    throw webhookRejected('The webhook signature does not verify');
  }
  if (!Value.Check(SignedEvent, parsed)) throw webhookRejected('The webhook is not an event');
  const { id, type, data } = parsed;
  const outcome = OUTCOMES[type];
  if (!outcome) return { id, type, outcome: 'ignored' };
  if (!Value.Check(CheckoutSessionObject, data.object))
    throw webhookRejected(`The ${type} event does not carry a checkout session`);
  const session = data.object;
  return {
    id,
    type,
    outcome: session.client_reference_id ? outcome(session) : 'ignored',
    reference: session.id,
    ...(session.client_reference_id && { paymentId: session.client_reference_id }),
    ...(session.payment_intent && { providerPaymentId: session.payment_intent }),
  };
}

/** Signs a body as Stripe does: what the dev provider and the tests' stand-in send. */
export function signEvent(payload: string, secret: string): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret });
}
