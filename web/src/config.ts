import {
  azureStorageConnectionString,
  baseConfigProperties,
  devOnlyValue,
  type ProductionRule,
  publicHttpsUrls,
  secrets,
} from '@az-shop/common';
import { traceStoreUri } from '@az-shop/common/telemetry/settings';
import { type Static, Type } from 'typebox';

export const webConfigSchema = Type.Object({
  ...baseConfigProperties,
  WEB_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  WEB_BASE_URL: Type.String({
    pattern: '^https?://[^/]+$',
    default: 'http://127.0.0.1:3000',
    description: 'Public origin of the web app, no trailing slash; the OIDC redirect URI is built from it',
  }),
  WEB_PREVIEW_BASE_URL: Type.Optional(
    Type.String({
      pattern: '^https?://[^/]+$',
      description:
        "a second public origin (a blue-green release's preview host): a request that came to it signs in and out there; the identity provider must list its redirect URIs too",
    }),
  ),
  SESSION_SECRET: Type.String({ minLength: 32, description: 'Seals the session cookie' }),
  SESSION_SECRET_PREVIOUS: Type.Optional(
    Type.String({
      minLength: 32,
      description: 'The secret being rotated out: cookies sealed with it still open and are sealed again',
    }),
  ),
  SESSION_MAX_HOURS: Type.Number({
    exclusiveMinimum: 0,
    default: 12,
    description: 'absolute lifetime of a signed-in session, from sign-in',
  }),
  SESSION_IDLE_MINUTES: Type.Number({
    exclusiveMinimum: 0,
    default: 60,
    description: 'a signed-in session ends after this long without a request',
  }),
  SESSION_CACHE_SECONDS: Type.Number({
    minimum: 0,
    default: 1,
    description: 'an instance reuses a session read this long; a sign-out elsewhere takes effect within it',
  }),
  ROLES_RECHECK_SECONDS: Type.Number({
    exclusiveMinimum: 0,
    default: 300,
    description:
      'roles are re-checked with the provider (refresh token) this often; unconfirmed for twice this, they lapse',
  }),
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
  PAYMENT_RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 10,
    description: 'payment attempts per window and user (API and form together)',
  }),
  CART_RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 60,
    description: 'cart writes per window and user (or client address before sign-in)',
  }),
  CANCEL_RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 10,
    description: 'cancellation requests per window and user',
  }),
  LIVE_STREAMS_PER_CLIENT: Type.Integer({
    minimum: 1,
    default: 20,
    description:
      'live event streams open at once per user (or client address before sign-in), across instances',
  }),
  MAX_UNPAID_ORDERS_PER_USER: Type.Integer({
    minimum: 1,
    default: 3,
    description: 'checkout is refused while the user has this many orders waiting for payment',
  }),
  MAX_HELD_UNITS_PER_USER: Type.Integer({
    minimum: 1,
    default: 50,
    description: "checkout is refused when the units of the user's unpaid orders would exceed this",
  }),
  TRUST_PROXY: Type.String({
    default: 'false',
    pattern: '^(false|true|[0-9]+|[0-9A-Fa-f.:/]+(,\\s*[0-9A-Fa-f.:/]+)*)$',
    description:
      'proxies whose X-Forwarded-For names the client: false, a hop count, or a comma-separated list of addresses/CIDRs',
  }),
  REQUEST_TIMEOUT_SECONDS: Type.Number({
    exclusiveMinimum: 0,
    default: 30,
    description:
      'a request must arrive whole (headers and body) within this; answers and live streams are not cut',
  }),
  ANONYMOUS_CART_DAYS: Type.Number({
    exclusiveMinimum: 0,
    default: 7,
    description: 'a cart without sign-in is deleted this long after its last change (TTL index)',
  }),
  SSE_PING_SECONDS: Type.Number({
    exclusiveMinimum: 0,
    default: 15,
    description: 'keep-alive comment interval of live event streams',
  }),
  PICKING_CAPACITY: Type.Integer({
    minimum: 1,
    default: 5,
    description:
      "orders picked at the same time (the same variable ordering reads): the order board's capacity",
  }),
  STOCK_SAMPLE_SECONDS: Type.Number({
    minimum: 10,
    maximum: 86_400,
    default: 300,
    description: 'how often web records available units per product for the stock history chart',
  }),
  CATALOG_CACHE_SECONDS: Type.Number({
    minimum: 0,
    default: 5,
    description:
      "pages reuse catalog reads, and /images revalidations a blob's ETag, this long (a back-office edit shows within it); 0 turns it off",
  }),
  PAGE_CACHE_SECONDS: Type.Number({
    minimum: 0,
    default: 5,
    description:
      'catalog pages are rendered once per shape (visitor, or signed in with these roles) and reused this long; 0 turns it off',
  }),
  PERSONAL_PAGE_CACHE_SECONDS: Type.Number({
    minimum: 0,
    default: 30,
    description:
      "a shopper's cart, checkout and order pages are kept this long per shopper for repeat views (change streams and the shopper's own writes drop them at once); 0 turns it off",
  }),
  CART_COUNT_CACHE_SECONDS: Type.Number({
    minimum: 0,
    default: 60,
    description:
      "the header's cart count is reused this long per cart (a change stream forgets it on every cart change); 0 turns it off",
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
  FACTORY_CAPACITY: Type.Integer({
    minimum: 1,
    default: 5,
    description: "the factory board's total capacity (the same variable factory reads)",
  }),
  BOARD_REFRESH_MS: Type.Integer({
    minimum: 10,
    maximum: 60_000,
    default: 1000,
    description:
      'the factory and order boards send each change at once and a fresh snapshot at most this often',
  }),
  BOARD_STREAMS_PER_ADMIN: Type.Integer({
    minimum: 1,
    default: 100,
    description:
      'board pages (factory and orders) open at once per admin, across instances (counted apart from LIVE_STREAMS_PER_CLIENT)',
  }),
  WEB_PUBLIC_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Folder of the built browser assets; defaults to public/ beside the bundle',
    }),
  ),
});

export type WebConfig = Static<typeof webConfigSchema>;

/** What web refuses to run with in production (besides the shared `MONGO_DB` rules); see README "Configuration". */
export const webProductionRules: ProductionRule[] = [
  secrets(
    'SESSION_SECRET',
    'SESSION_SECRET_PREVIOUS',
    'OIDC_CLIENT_SECRET',
    'STRIPE_SECRET_KEY',
    'STRIPE_WEBHOOK_SECRET',
  ),
  azureStorageConnectionString('AZURE_STORAGE_CONNECTION_STRING'),
  publicHttpsUrls('OIDC_ISSUER', 'WEB_BASE_URL', 'WEB_PREVIEW_BASE_URL'),
  devOnlyValue('PAYMENT_PROVIDER', 'dev', 'it authorizes the public test card'),
  devOnlyValue('DEMO_SEED', true, 'it writes the demo catalogue and production requests'),
];

/**
 * `TRUST_PROXY` as Fastify's `trustProxy`: off, everyone, the nearest N hops (as a function: the
 * typings lack the number form), or the proxies' addresses/CIDRs.
 */
export function trustProxyOption(
  value: string,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^[0-9]+$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return value.split(',').map((entry) => entry.trim());
}

/** The browser gets HSTS and upgrade-insecure-requests only when the app is served over https. */
export function isHttps(config: Pick<WebConfig, 'WEB_BASE_URL'>): boolean {
  return config.WEB_BASE_URL.startsWith('https://');
}

/**
 * Session cookies are `Secure` over https, and in production whatever the base URL says (production
 * refuses a plain-http one anyway; this keeps the cookie safe should that rule ever be relaxed).
 */
export function secureCookies(config: Pick<WebConfig, 'WEB_BASE_URL' | 'NODE_ENV'>): boolean {
  return isHttps(config) || config.NODE_ENV === 'production';
}

/** Whether the dev-only local span store keeps this process's traces (never in production). */
export function localTraceStore(config: Pick<WebConfig, 'TRACE_STORE' | 'NODE_ENV' | 'MONGO_DB'>): boolean {
  const { TRACE_STORE, NODE_ENV, MONGO_DB } = config;
  return traceStoreUri({ TRACE_STORE, NODE_ENV, MONGO_DB }) !== undefined;
}
