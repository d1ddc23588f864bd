import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  connectMongo,
  createLogger,
  type MongoConnection,
  type MongoFlavour,
  parseConfig,
} from '@az-shop/common';
import { type OidcServer, startOidcServer } from '@az-shop/identity-emulator';
import { CookieJar, signInThroughForms } from '@az-shop/identity-emulator/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from 'mongodb';
import { buildApp } from '../src/app';
import { type WebConfig, webConfigSchema } from '../src/config';
import { SESSION_COOKIE } from '../src/plugins/external/session';
import { type Azurite, startAzurite } from './azurite';
import { databaseUri, startTestMongo, type TestMongo } from './mongo';

/** Tests use `app.inject()`; nothing listens here, but redirect URIs are built from this origin. */
export const TEST_BASE_URL = 'http://127.0.0.1:3999';
/** A second origin, as a blue-green release's preview host; apps that want it set WEB_PREVIEW_BASE_URL to it. */
export const TEST_PREVIEW_URL = 'http://preview.localhost:3999';
export const TEST_CLIENT = { id: 'az-shop-web', secret: 'test-only-client-secret-0123456789' };

export interface Stack {
  mongo: TestMongo;
  azurite: Azurite;
  idp: OidcServer;
  stop(): Promise<void>;
}

/** The real dependencies on free ports: dev Mongo server, Azurite (blobs) and the dev OIDC provider. */
export async function startStack(): Promise<Stack> {
  const started = await Promise.allSettled([
    startTestMongo(),
    startAzurite(),
    startOidcServer({
      port: 0,
      clients: [
        {
          client_id: TEST_CLIENT.id,
          client_secret: TEST_CLIENT.secret,
          client_name: 'az-shop (tests)',
          redirect_uris: [`${TEST_BASE_URL}/auth/callback`, `${TEST_PREVIEW_URL}/auth/callback`],
          post_logout_redirect_uris: [`${TEST_BASE_URL}/`, `${TEST_PREVIEW_URL}/`],
        },
      ],
    }),
  ] as const);
  const [mongo, azurite, idp] = started;
  if (mongo.status === 'rejected' || azurite.status === 'rejected' || idp.status === 'rejected') {
    // Stop what did start, or its server would keep the test process alive.
    await Promise.allSettled(
      started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : null)),
    );
    const failure = started.find((result) => result.status === 'rejected');
    throw failure?.reason;
  }
  return {
    mongo: mongo.value,
    azurite: azurite.value,
    idp: idp.value,
    stop: async () => {
      await Promise.allSettled([mongo.value.stop(), azurite.value.stop(), idp.value.stop()]);
    },
  };
}

export function testConfig(
  stack: Stack,
  mongoUri: string,
  overrides: Record<string, string> = {},
): WebConfig {
  return parseConfig(webConfigSchema, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    MONGO_DB: mongoUri,
    WEB_BASE_URL: TEST_BASE_URL,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    OIDC_ISSUER: stack.idp.issuer,
    OIDC_CLIENT_ID: TEST_CLIENT.id,
    OIDC_CLIENT_SECRET: TEST_CLIENT.secret,
    AZURE_STORAGE_CONNECTION_STRING: stack.azurite.connectionString,
    BLOB_CONTAINER: `test-${randomBytes(4).toString('hex')}`,
    // Tests write the catalog and read pages at once; the cache itself has unit tests.
    CATALOG_CACHE_SECONDS: '0',
    PAGE_CACHE_SECONDS: '0',
    CART_COUNT_CACHE_SECONDS: '0',
    PERSONAL_PAGE_CACHE_SECONDS: '0',
    // Tests place many orders and cart writes as one shopper; the limits have their own tests
    // (limits.int.spec.ts), which set them low.
    CART_RATE_LIMIT_MAX: '10000',
    PAYMENT_RATE_LIMIT_MAX: '10000',
    CANCEL_RATE_LIMIT_MAX: '10000',
    LIVE_STREAMS_PER_CLIENT: '1000',
    // The stock sampler writes once at start; tests take later samples themselves
    // (admin-orders.int.spec.ts), so no timer writes while a test compares the database.
    STOCK_SAMPLE_SECONDS: '86400',
    MAX_UNPAID_ORDERS_PER_USER: '10000',
    MAX_HELD_UNITS_PER_USER: '1000000',
    ...overrides,
  });
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: WebConfig;
  stack: Stack;
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL('../dist/public', import.meta.url));

/** Builds the app against a started stack, with its own database (`flavour`: the server's, mongo by default). */
export async function createTestApp(
  stack: Stack,
  overrides: Record<string, string> = {},
  flavour: MongoFlavour = 'mongo',
): Promise<TestApp> {
  const mongoUri = databaseUri(stack.mongo.uri, `web_test_${randomBytes(4).toString('hex')}`);
  const config = testConfig(stack, mongoUri, overrides);
  const mongo: MongoConnection = await connectMongo({
    MONGO_DB: config.MONGO_DB,
    appName: 'az-shop-web-test',
  });
  const logger = createLogger('web', config);
  const app = await buildApp({ config, logger, db: mongo.db, flavour, publicDir: PUBLIC_DIR });
  await app.ready();
  // As when /readyz first answers 200 (its `blob` check): the image container exists.
  await app.blobContainerReady;
  return {
    app,
    db: mongo.db,
    config,
    stack,
    close: async () => {
      await app.close();
      await mongo.db.dropDatabase().catch(() => {});
      await mongo.close();
    },
  };
}

/**
 * Settings under which several apps are instances of one web, as behind a load balancer: one
 * database (a new one) and one session secret. Pass the same object to each `createTestApp`.
 */
export function oneWebConfig(stack: Stack, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    MONGO_DB: databaseUri(stack.mongo.uri, `web_shared_${randomBytes(4).toString('hex')}`),
    SESSION_SECRET: randomBytes(32).toString('hex'),
    ...overrides,
  };
}

let shared: Promise<TestApp> | undefined;

/** One stack and one app per test file (vitest runs each file in its own process). */
export function getTestApp(): Promise<TestApp> {
  shared ??= startStack().then((stack) => createTestApp(stack));
  return shared;
}

export async function closeTestApp(): Promise<void> {
  if (!shared) return;
  const testApp = await shared;
  shared = undefined;
  await testApp.close();
  await testApp.stack.stop();
}

export interface SeedProduct {
  _id: string;
  heading: string;
  category?: string;
  description?: string;
  amount?: number;
  position?: 'hero' | 'highlight' | 'normal';
  imagePath?: string;
}

/** Inserts catalog products in the shape of common/src/schemas/products.ts. */
export async function seedProducts(db: Db, products: SeedProduct[]): Promise<void> {
  await db.collection<{ _id: string }>('products').insertMany(
    products.map((product) => {
      const category = product.category ?? 'cat-default';
      return {
        _id: product._id,
        partition_key: category,
        kind: 'product',
        categoryId: category,
        heading: product.heading,
        description: product.description ?? `About ${product.heading}`,
        price: { amount: product.amount ?? 1999, currency: 'EUR' },
        position: product.position ?? 'normal',
        ...(product.imagePath && { imagePath: product.imagePath }),
      };
    }),
  );
}

/** The Set-Cookie lines of a response. */
export function setCookieLines(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

/** The `name=value` pair (still encoded, as a browser would send it back) of a cookie the response sets. */
export function sessionCookieHeader(response: LightMyRequestResponse): string {
  const line = setCookieLines(response).find((candidate) => candidate.startsWith(`${SESSION_COOKIE}=`));
  if (!line) throw new Error(`the response set no ${SESSION_COOKIE} cookie`);
  return line.split(';')[0] ?? '';
}

/**
 * A CSRF token for the session in `cookie`, as a page would embed it. The first token of a session
 * creates its CSRF secret, which changes the cookie: use the returned one, as a browser would.
 */
export async function csrfFor(
  app: FastifyInstance,
  cookie?: string,
): Promise<{ cookie: string; token: string }> {
  const response = await app.inject({
    method: 'GET',
    url: '/api/session',
    headers: cookie ? { cookie } : {},
  });
  const { csrfToken } = response.json() as { csrfToken: string };
  const updated = setCookieLines(response).some((line) => line.startsWith(`${SESSION_COOKIE}=`));
  return { cookie: updated ? sessionCookieHeader(response) : (cookie ?? ''), token: csrfToken };
}

/**
 * The real sign-in flow: /auth/login on the app, the dev provider's forms over HTTP, then
 * /auth/callback on the app. `get` sends a GET to the app with the visitor's cookie (and keeps the
 * one each answer sets); returns the callback's answer. `origin` is the one whose callback the
 * provider must send the browser back to.
 */
export async function signInThroughApp(
  get: (url: string) => Promise<LightMyRequestResponse>,
  email: string,
  returnTo = '/',
  origin = TEST_BASE_URL,
): Promise<LightMyRequestResponse> {
  const login = await get(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  if (login.statusCode !== 302) throw new Error(`/auth/login answered ${login.statusCode}: ${login.body}`);
  const callbackUrl = await signInThroughForms({
    jar: new CookieJar(),
    startUrl: String(login.headers.location),
    email,
    stopAt: `${origin}/auth/callback`,
  });
  const callback = await get(callbackUrl.slice(origin.length));
  if (callback.statusCode !== 302)
    throw new Error(`/auth/callback answered ${callback.statusCode}: ${callback.body}`);
  return callback;
}

/** Signs in a new visitor through the real flow; returns the `cookie` header of the signed-in session. */
export async function loginAs(app: FastifyInstance, email: string, returnTo = '/'): Promise<string> {
  let cookie = '';
  const callback = await signInThroughApp(
    async (url) => {
      const response = await app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
      if (setCookieLines(response).some((line) => line.startsWith(`${SESSION_COOKIE}=`))) {
        cookie = sessionCookieHeader(response);
      }
      return response;
    },
    email,
    returnTo,
  );
  return sessionCookieHeader(callback);
}
