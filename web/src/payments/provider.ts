/**
 * Where shoppers pay. The card never reaches our servers: web creates a checkout at the provider,
 * the shopper pays on the provider's page, and the provider's signed webhook says how it ended.
 * Both providers (Stripe, and the dev one with its own page in web) follow this one flow.
 */
export interface PaymentProvider {
  readonly name: PaymentProviderName;
  /** Creates the provider's payment page for one attempt; the same `paymentId` gives the same page. */
  createCheckout(request: CheckoutRequest): Promise<CheckoutSession>;
  /** Checks the webhook's signature and reads it; throws a 400 error when it is not genuine or not an event. */
  readWebhook(rawBody: Buffer, signature: string | undefined): WebhookEvent;
  /** Gives money back; the same `idempotencyKey` refunds once however often it is asked. */
  refund(request: RefundRequest): Promise<RefundResult>;
}

export type PaymentProviderName = 'dev' | 'stripe';

export interface CheckoutRequest {
  paymentId: string;
  orderId: string;
  /** Minor units. */
  amount: number;
  currency: string;
  /** Where the shopper lands after paying. */
  successUrl: string;
  /** Where the shopper lands when giving up on the provider's page. */
  cancelUrl: string;
}

export interface CheckoutSession {
  /** The provider's id of the attempt (a Checkout Session id). */
  reference: string;
  /** The provider's page, where the browser is sent. */
  redirectUrl: string;
}

/** What a verified webhook means for a payment attempt. */
export interface WebhookEvent {
  /** The provider's event id: a delivery seen before is not applied again. */
  id: string;
  type: string;
  /** `ignored`: an event type that changes no payment (or money not yet taken, e.g. a pending bank debit). */
  outcome: 'authorized' | 'declined' | 'ignored';
  /** Our payment id, as the attempt was created with it. */
  paymentId?: string;
  reference?: string;
  /** What a refund is made against (a PaymentIntent id). */
  providerPaymentId?: string;
}

export interface RefundRequest {
  providerPaymentId: string;
  /** Minor units. */
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export interface RefundResult {
  providerRefundId: string;
  status: string;
}
