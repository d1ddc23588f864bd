import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from 'mongodb';
import { expect } from 'vitest';
import { SESSION_COOKIE } from '../src/plugins/external/session';
import { csrfFor, sessionCookieHeader, setCookieLines, signInThroughApp } from './helper';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * A visitor of the shop as a browser would be one: keeps the session cookie the app sets, and sends
 * the session's CSRF token in `x-csrf-token` on state-changing requests (unless told not to).
 */
export class Shopper {
  cookie = '';
  token = '';

  private constructor(readonly app: FastifyInstance) {}

  static async anonymous(app: FastifyInstance): Promise<Shopper> {
    const shopper = new Shopper(app);
    await shopper.refreshToken();
    return shopper;
  }

  static async signedIn(app: FastifyInstance, email: string): Promise<Shopper> {
    const shopper = new Shopper(app);
    await shopper.signIn(email);
    return shopper;
  }

  /** Signs in through the real flow, carrying this visitor's session (its anonymous cart) along. */
  async signIn(email: string): Promise<void> {
    await signInThroughApp((url) => this.request('GET', url), email);
    await this.refreshToken();
  }

  async refreshToken(): Promise<void> {
    const { cookie, token } = await csrfFor(this.app, this.cookie || undefined);
    this.cookie = cookie;
    this.token = token;
  }

  async request(
    method: Method,
    url: string,
    payload?: unknown,
    options: { csrf?: boolean | string } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    const csrf = options.csrf ?? method !== 'GET';
    if (csrf) headers['x-csrf-token'] = typeof csrf === 'string' ? csrf : this.token;
    const response = await this.app.inject({
      method,
      url,
      headers,
      ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
    });
    if (setCookieLines(response).some((line) => line.startsWith(`${SESSION_COOKIE}=`)))
      this.cookie = sessionCookieHeader(response);
    return response;
  }
}

export const ADDRESS = {
  name: 'Sam Shopper',
  line1: 'Main Street 1',
  city: 'Berlin',
  postcode: '10115',
  country: 'DE',
};

let keys = 0;
/** A fresh idempotency key, as a checkout or payment page generates one. */
export function newKey(): string {
  keys++;
  return `test-key-${Date.now()}-${keys}`;
}

/** Empties every cart (tests in one file share the seeded users). */
export async function clearCarts(db: Db): Promise<void> {
  await db.collection('carts').deleteMany({});
}

/** Puts products in the shopper's cart and checks out; returns the order id. */
export async function placeOrder(
  shopper: Shopper,
  lines: Record<string, number> = { chair: 2, stool: 1 },
): Promise<string> {
  for (const [productId, qty] of Object.entries(lines)) {
    const added = await shopper.request('POST', '/api/cart/lines', { productId, qty });
    expect(added.statusCode).toBe(200);
  }
  const response = await shopper.request('POST', '/api/checkout', {
    address: ADDRESS,
    idempotencyKey: newKey(),
  });
  expect(response.statusCode).toBe(201);
  return (response.json() as { orderId: string }).orderId;
}

/** Starts a payment attempt (`POST /api/orders/:id/payments`): the provider's page to go to. */
export async function startPayment(
  shopper: Shopper,
  orderId: string,
  idempotencyKey = newKey(),
): Promise<{ paymentId: string; redirectUrl: string }> {
  const response = await shopper.request('POST', `/api/orders/${orderId}/payments`, { idempotencyKey });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { paymentId: string; redirectUrl: string };
}

/**
 * Pays an order as a shopper does with the dev provider: starts the attempt, then submits the dev
 * payment page with a test card. Answers the page's redirect and the payment id.
 */
export async function payWithDevCard(
  shopper: Shopper,
  orderId: string,
  cardNumber = '4242 4242 4242 4242',
): Promise<{ paymentId: string; response: LightMyRequestResponse }> {
  const { paymentId, redirectUrl } = await startPayment(shopper, orderId);
  const response = await shopper.request('POST', new URL(redirectUrl).pathname, { cardNumber });
  return { paymentId, response };
}

/** A fulfilment document as ordering writes it (ordering does not run in web's tests). */
export async function writeFulfilment(db: Db, orderId: string, stage: string, userId = 'shopper-0001') {
  const at = new Date();
  await db.collection<{ _id: string }>('fulfilments').replaceOne(
    { _id: orderId },
    {
      _id: orderId,
      partition_key: userId,
      orderId,
      userId,
      warehouse: 'main',
      stage,
      lines: [],
      shortLines: [],
      total: 0,
      currency: 'EUR',
      placedAt: at,
      payBy: new Date(at.getTime() + 15 * 60_000),
      paid: false,
      refundsDue: [],
      history: [{ stage: 'Placed', at }, ...(stage === 'Placed' ? [] : [{ stage, at }])],
      version: 1,
    },
    { upsert: true },
  );
}
