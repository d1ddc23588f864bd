import { ConfigError } from '@az-shop/common';
import type { WebConfig } from '../config';
import { devPaymentProvider } from './dev-provider';
import type { PaymentProvider } from './provider';
import { stripePaymentProvider } from './stripe-provider';

export type { PaymentProvider } from './provider';

/**
 * Origins the browser is sent to after posting the pay form, for CSP `form-action` (browsers apply
 * it to a form's redirects too): Stripe Checkout's page; the dev page is our own origin.
 */
export function paymentPageOrigins(config: Pick<WebConfig, 'PAYMENT_PROVIDER'>): string[] {
  return config.PAYMENT_PROVIDER === 'stripe' ? ['https://checkout.stripe.com'] : [];
}

/** The configured provider; a `stripe` one without its keys is a ConfigError naming them. */
export function paymentProviderFor(config: WebConfig): PaymentProvider {
  switch (config.PAYMENT_PROVIDER) {
    case 'dev':
      return devPaymentProvider({ baseUrl: config.WEB_BASE_URL });
    case 'stripe': {
      const { STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret } = config;
      const missing = [
        ...(secretKey ? [] : ['STRIPE_SECRET_KEY']),
        ...(webhookSecret ? [] : ['STRIPE_WEBHOOK_SECRET']),
      ];
      if (!secretKey || !webhookSecret)
        throw new ConfigError(missing.map((name) => `${name} is missing (PAYMENT_PROVIDER=stripe)`));
      return stripePaymentProvider({ secretKey, webhookSecret, apiBase: config.STRIPE_API_BASE });
    }
  }
}
