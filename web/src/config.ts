import { baseConfigProperties } from '@az-shop/common';
import { type Static, Type } from 'typebox';

export const webConfigSchema = Type.Object({
  ...baseConfigProperties,
  WEB_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  WEB_BASE_URL: Type.String({
    pattern: '^https?://[^/]+$',
    default: 'http://127.0.0.1:3000',
    description: 'Public origin of the web app, no trailing slash; the OIDC redirect URI is built from it',
  }),
  SESSION_SECRET: Type.String({ minLength: 32, description: 'Seals the session cookie' }),
  OIDC_ISSUER: Type.String({
    pattern: '^https?://',
    description: 'Issuer URL of the OpenID Connect provider',
  }),
  OIDC_CLIENT_ID: Type.String({ minLength: 1 }),
  OIDC_CLIENT_SECRET: Type.String({ minLength: 1 }),
  AZURE_STORAGE_CONNECTION_STRING: Type.String({ minLength: 1 }),
  BLOB_CONTAINER: Type.String({
    pattern: '^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$',
    default: 'az-shop-images',
  }),
  HOLD_MINUTES: Type.Number({
    exclusiveMinimum: 0,
    default: 15,
    description: 'how long an unpaid order holds stock (the same variable ordering reads); sets payBy',
  }),
  PAYMENT_PROVIDER: Type.Union([Type.Literal('dev'), Type.Literal('stripe')], {
    default: 'dev',
    description:
      "where shoppers pay: stripe (Stripe Checkout), or dev (web's own test page: 4242 4242 4242 4242 authorizes, 4000 0000 0000 0002 declines)",
  }),
  STRIPE_SECRET_KEY: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Stripe API secret key (sk_…); required when PAYMENT_PROVIDER=stripe',
    }),
  ),
  STRIPE_WEBHOOK_SECRET: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'signing secret (whsec_…) of the Stripe webhook endpoint; required when PAYMENT_PROVIDER=stripe',
    }),
  ),
  STRIPE_API_BASE: Type.Optional(
    Type.String({
      pattern: '^https?://[^/]+$',
      description: "another origin for the Stripe API (a local stand-in in tests); Stripe's own when unset",
    }),
  ),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({
    minimum: 1,
    default: 60,
    description: 'window of the limits below',
  }),
  LOGIN_RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'sign-ins started per window and client address',
  }),
  CHECKOUT_RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 10,
    description: 'checkouts per window and user (API and form together)',
  }),
  SSE_PING_SECONDS: Type.Number({
    exclusiveMinimum: 0,
    default: 15,
    description: 'keep-alive comment interval of live event streams',
  }),
  CATALOG_CACHE_SECONDS: Type.Number({
    minimum: 0,
    default: 5,
    description: 'pages reuse catalog reads this long (a back-office edit shows within it); 0 turns it off',
  }),
  PAGE_CACHE_SECONDS: Type.Number({
    minimum: 0,
    default: 5,
    description:
      'catalog pages for visitors without sign-in or cart are rendered once and reused this long; 0 turns it off',
  }),
  DEMO_SEED: Type.Boolean({
    default: false,
    description: 'seed the demo catalogue, its images and production requests at start (idempotent)',
  }),
  WAREHOUSE: Type.String({
    minLength: 1,
    default: 'main',
    description: 'warehouse the demo production requests deliver to (the same variable ordering reads)',
  }),
  WEB_PUBLIC_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Folder of the built browser assets; defaults to public/ beside the bundle',
    }),
  ),
});

export type WebConfig = Static<typeof webConfigSchema>;

/** The browser gets HSTS and upgrade-insecure-requests only when the app is served over https. */
export function isHttps(config: Pick<WebConfig, 'WEB_BASE_URL'>): boolean {
  return config.WEB_BASE_URL.startsWith('https://');
}

/**
 * Session cookies are `Secure` over https and always in production (TLS may end at the ingress, in
 * front of a plain-http base URL); only local development and tests on http://127.0.0.1 go without.
 */
export function secureCookies(config: Pick<WebConfig, 'WEB_BASE_URL' | 'NODE_ENV'>): boolean {
  return isHttps(config) || config.NODE_ENV === 'production';
}
