import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { signEvent } from '../src/payments/signed-events';

/** A Checkout Session as the stand-in keeps it, in Stripe's JSON shape (the fields web reads and a few more). */
export interface StandInSession {
  id: string;
  object: 'checkout.session';
  url: string;
  mode: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  client_reference_id: string | null;
  payment_intent: string | null;
  amount_total: number;
  currency: string;
  metadata: Record<string, string>;
  success_url: string;
  cancel_url: string;
}

export interface StandInRefund {
  id: string;
  object: 'refund';
  amount: number;
  payment_intent: string;
  status: 'succeeded';
}

export interface StripeStandIn {
  /** `STRIPE_API_BASE` for the app. */
  apiBase: string;
  /** The app's settings to pay through the stand-in (`createTestApp` overrides). */
  appSettings: Record<string, string>;
  secretKey: string;
  webhookSecret: string;
  sessions: StandInSession[];
  refunds: StandInRefund[];
  /** Every API request, for "the provider saw exactly…" assertions. */
  requests: { method: string; path: string; idempotencyKey?: string }[];
  /** The shopper pays on the session's page: the session completes and a PaymentIntent exists. */
  pay(sessionId: string): StandInSession;
  /** An event for a session, as Stripe sends it (`evt_…`, `data.object` = the session now). */
  event(type: string, session: StandInSession): StripeEvent;
  /** The body and `stripe-signature` header of an event, signed with `secret` (the endpoint's by default). */
  sign(event: StripeEvent, secret?: string): { payload: string; signature: string };
  /** Delivers a signed event to the app's webhook route, as Stripe's servers do. */
  deliver(app: FastifyInstance, event: StripeEvent, secret?: string): Promise<LightMyRequestResponse>;
  stop(): Promise<void>;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  type: string;
  created: number;
  data: { object: StandInSession };
}

type Answer = { status: number; body: unknown };

const stripeError = (status: number, type: string, message: string, extra: object = {}): Answer => ({
  status,
  body: { error: { type, message, ...extra } },
});

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A local stand-in for the few Stripe API endpoints web calls (Checkout Sessions create/retrieve,
 * Refunds create), with Stripe's JSON shapes and error format, API-key checks and idempotency-key
 * replay, plus Stripe-signed webhooks (the SDK's own signing scheme).
 */
export async function startStripeStandIn(): Promise<StripeStandIn> {
  const secretKey = 'sk_test_stand_in_0123456789';
  const webhookSecret = 'whsec_stand_in_0123456789';
  const sessions: StandInSession[] = [];
  const refunds: StandInRefund[] = [];
  const requests: StripeStandIn['requests'] = [];
  const replays = new Map<string, Answer>();
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}_test_${++counter}`;

  function createSession(form: URLSearchParams): Answer {
    const unitAmount = Number(form.get('line_items[0][price_data][unit_amount]'));
    const quantity = Number(form.get('line_items[0][quantity]') ?? '1');
    const currency = form.get('line_items[0][price_data][currency]');
    const successUrl = form.get('success_url');
    const cancelUrl = form.get('cancel_url');
    if (!Number.isInteger(unitAmount) || !currency || !successUrl || !cancelUrl)
      return stripeError(400, 'invalid_request_error', 'Missing required param: line_items or urls.');
    const id = nextId('cs');
    const metadata: Record<string, string> = {};
    for (const [key, value] of form) {
      const name = /^metadata\[(.+)\]$/.exec(key)?.[1];
      if (name) metadata[name] = value;
    }
    const session: StandInSession = {
      id,
      object: 'checkout.session',
      url: `https://checkout.stripe.test/c/pay/${id}`,
      mode: form.get('mode') ?? 'payment',
      status: 'open',
      payment_status: 'unpaid',
      client_reference_id: form.get('client_reference_id'),
      payment_intent: null,
      amount_total: unitAmount * quantity,
      currency,
      metadata,
      success_url: successUrl,
      cancel_url: cancelUrl,
    };
    sessions.push(session);
    return { status: 200, body: session };
  }

  function createRefund(form: URLSearchParams): Answer {
    const paymentIntent = form.get('payment_intent');
    const session = sessions.find(
      (candidate) => candidate.payment_intent && candidate.payment_intent === paymentIntent,
    );
    if (!paymentIntent || !session)
      return stripeError(400, 'invalid_request_error', `No such payment_intent: '${paymentIntent}'`, {
        code: 'resource_missing',
        param: 'payment_intent',
      });
    const amount = Number(form.get('amount') ?? session.amount_total);
    const refunded = refunds.filter((refund) => refund.payment_intent === paymentIntent);
    if (amount + refunded.reduce((sum, refund) => sum + refund.amount, 0) > session.amount_total)
      return stripeError(400, 'invalid_request_error', 'Refund amount is greater than the charge.', {
        code: 'amount_too_large',
      });
    const refund: StandInRefund = {
      id: nextId('re'),
      object: 'refund',
      amount,
      payment_intent: paymentIntent,
      status: 'succeeded',
    };
    refunds.push(refund);
    return { status: 200, body: refund };
  }

  async function answer(request: IncomingMessage): Promise<Answer> {
    if (request.headers.authorization !== `Bearer ${secretKey}`)
      return stripeError(401, 'invalid_request_error', 'Invalid API Key provided.');
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = request.method ?? 'GET';
    const idempotencyKey = request.headers['idempotency-key'] as string | undefined;
    requests.push({ method, path: url.pathname, ...(idempotencyKey && { idempotencyKey }) });
    const replayKey = idempotencyKey && `${method} ${url.pathname} ${idempotencyKey}`;
    const replayed = replayKey ? replays.get(replayKey) : undefined;
    if (replayed) return replayed;
    let result: Answer;
    const retrieve = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(url.pathname);
    if (method === 'POST' && url.pathname === '/v1/checkout/sessions')
      result = createSession(await formOf(request));
    else if (method === 'POST' && url.pathname === '/v1/refunds')
      result = createRefund(await formOf(request));
    else if (method === 'GET' && retrieve) {
      const session = sessions.find((candidate) => candidate.id === retrieve[1]);
      result = session
        ? { status: 200, body: session }
        : stripeError(404, 'invalid_request_error', `No such checkout.session: '${retrieve[1]}'`, {
            code: 'resource_missing',
          });
    } else
      result = stripeError(
        404,
        'invalid_request_error',
        `Unrecognized request URL (${method}: ${url.pathname}).`,
      );
    if (replayKey && method === 'POST') replays.set(replayKey, result);
    return result;
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    answer(request).then(
      ({ status, body }) => {
        response.writeHead(status, { 'content-type': 'application/json', 'request-id': nextId('req') });
        response.end(JSON.stringify(body));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const apiBase = `http://127.0.0.1:${port}`;
  const standIn: StripeStandIn = {
    apiBase,
    appSettings: {
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_BASE: apiBase,
    },
    secretKey,
    webhookSecret,
    sessions,
    refunds,
    requests,
    pay(sessionId) {
      const session = sessions.find((candidate) => candidate.id === sessionId);
      if (!session) throw new Error(`no session ${sessionId}`);
      Object.assign(session, { status: 'complete', payment_status: 'paid', payment_intent: nextId('pi') });
      return session;
    },
    event: (type, session) => ({
      id: nextId('evt'),
      object: 'event',
      type,
      created: Math.floor(Date.now() / 1000),
      data: { object: { ...session } },
    }),
    sign(event, secret = webhookSecret) {
      const payload = JSON.stringify(event);
      return { payload, signature: signEvent(payload, secret) };
    },
    deliver(app, event, secret) {
      const { payload, signature } = standIn.sign(event, secret);
      return app.inject({
        method: 'POST',
        url: '/api/payments/webhooks/stripe',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature },
        payload,
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return standIn;
}
