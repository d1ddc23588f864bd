import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from 'mongodb';
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
