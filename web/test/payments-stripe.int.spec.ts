import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PAYMENT_EVENTS } from '../src/payments/webhooks';
import { createTestApp, type Stack, seedProducts, startStack, type TestApp } from './helper';
import { clearCarts, newKey, placeOrder, Shopper, startPayment } from './shopper';
import { type StandInSession, type StripeStandIn, startStripeStandIn } from './stripe-stand-in';

let stack: Stack;
let stripe: StripeStandIn;
let testApp: TestApp;
let sam: Shopper;

beforeAll(async () => {
  [stack, stripe] = await Promise.all([startStack(), startStripeStandIn()]);
  testApp = await createTestApp(stack, {
    CHECKOUT_RATE_LIMIT_MAX: '1000',
    ...stripe.appSettings,
  });
  await seedProducts(testApp.db, [{ _id: 'stool', heading: 'Pine Stool', amount: 1500 }]);
  sam = await Shopper.signedIn(testApp.app, 'shopper@example.com');
});

beforeEach(() => clearCarts(testApp.db));

afterAll(async () => {
  await testApp?.close();
  await Promise.allSettled([stack?.stop(), stripe?.stop()]);
});

const payments = () => testApp.db.collection<{ _id: string; status: string }>('payments');
const events = () => testApp.db.collection<{ _id: string; appliedAt?: Date }>(PAYMENT_EVENTS);

/** An order of one stool (€15.00) with a started Stripe Checkout attempt. */
async function startedAttempt(): Promise<{ orderId: string; paymentId: string; session: StandInSession }> {
  const orderId = await placeOrder(sam, { stool: 1 });
  const { paymentId, redirectUrl } = await startPayment(sam, orderId);
  const session = stripe.sessions.find((candidate) => candidate.client_reference_id === paymentId);
  if (!session) throw new Error('the stand-in saw no session for the payment');
  expect(redirectUrl).toBe(session.url);
  return { orderId, paymentId, session };
}

describe('starting a payment with Stripe Checkout', () => {
  it('creates one Checkout Session for the order total and sends the browser to its page', async () => {
    const orderId = await placeOrder(sam, { stool: 2 });
    const key = newKey();
    const { paymentId, redirectUrl } = await startPayment(sam, orderId, key);
    const session = stripe.sessions.find((candidate) => candidate.client_reference_id === paymentId);
    expect(session).toMatchObject({
      url: redirectUrl,
      mode: 'payment',
      amount_total: 3000,
      currency: 'eur',
      metadata: { paymentId, orderId },
      success_url: `${testApp.config.WEB_BASE_URL}/orders/${orderId}`,
      cancel_url: `${testApp.config.WEB_BASE_URL}/orders/${orderId}/pay`,
    });
    expect(
      stripe.requests.filter((request) => request.path === '/v1/checkout/sessions').at(-1)?.idempotencyKey,
    ).toBe(`checkout:${paymentId}`);
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({
      status: 'pending',
      provider: 'stripe',
      providerReference: session?.id,
      redirectUrl,
      amount: 3000,
    });

    // The same key again is the same attempt and the same page; Stripe is not asked again.
    const sessionsBefore = stripe.sessions.length;
    const repeat = await sam.request('POST', `/api/orders/${orderId}/payments`, { idempotencyKey: key });
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toEqual({ paymentId, redirectUrl });
    expect(stripe.sessions).toHaveLength(sessionsBefore);
  });
  it("lets the pay form's redirect reach Stripe Checkout (CSP form-action)", async () => {
    const page = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(String(page.headers['content-security-policy'])).toMatch(
      /form-action [^;]*https:\/\/checkout\.stripe\.com/,
    );
  });
});

describe('POST /api/payments/webhooks/stripe', () => {
  it('authorizes the payment on a verified checkout.session.completed, with no session or CSRF token', async () => {
    const { paymentId, session } = await startedAttempt();
    const event = stripe.event('checkout.session.completed', stripe.pay(session.id));
    const response = await stripe.deliver(testApp.app, event);
    expect(response.statusCode).toBe(200);
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({
      status: 'authorized',
      providerPaymentId: session.payment_intent,
    });
    expect(await events().findOne({ _id: `stripe:${event.id}` })).toMatchObject({
      appliedAt: expect.any(Date),
    });
  });

  it.each([
    [
      'signed with another secret',
      (payload: string, signature: string) => ({ payload, signature }),
      'whsec_wrong',
    ],
    [
      'a body changed after signing',
      (payload: string, signature: string) => ({ payload: payload.replace('"paid"', '"PAID"'), signature }),
      undefined,
    ],
    ['no signature', (payload: string) => ({ payload, signature: '' }), undefined],
  ])('answers 400 and changes nothing for a webhook %s', async (_name, tamper, secret) => {
    const { paymentId, session } = await startedAttempt();
    const event = stripe.event('checkout.session.completed', stripe.pay(session.id));
    const signed = stripe.sign(event, secret);
    const { payload, signature } = tamper(signed.payload, signed.signature);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/payments/webhooks/stripe',
      headers: { 'content-type': 'application/json', ...(signature && { 'stripe-signature': signature }) },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'pending' });
    expect(await events().countDocuments({ _id: `stripe:${event.id}` })).toBe(0);
  });

  it('applies a replayed event once', async () => {
    const { paymentId, session } = await startedAttempt();
    const event = stripe.event('checkout.session.completed', stripe.pay(session.id));
    expect((await stripe.deliver(testApp.app, event)).json()).toMatchObject({ result: 'applied' });
    const applied = await payments().findOne({ _id: paymentId });
    const again = await stripe.deliver(testApp.app, event);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ result: 'replayed' });
    expect(await payments().findOne({ _id: paymentId })).toEqual(applied);
    expect(await events().countDocuments({ _id: `stripe:${event.id}` })).toBe(1);
  });

  it('applies again an event whose first apply did not finish (recorded, never marked applied)', async () => {
    const { paymentId, session } = await startedAttempt();
    const event = stripe.event('checkout.session.completed', stripe.pay(session.id));
    // What a crash between recording the event and applying it leaves behind.
    await events().insertOne({ _id: `stripe:${event.id}` });
    expect((await stripe.deliver(testApp.app, event)).json()).toMatchObject({ result: 'applied' });
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'authorized' });
  });

  it('never moves a payment back: an expiry after the payment keeps it authorized', async () => {
    const { paymentId, session } = await startedAttempt();
    const completed = stripe.event('checkout.session.completed', stripe.pay(session.id));
    const expired = stripe.event('checkout.session.expired', { ...session, status: 'expired' });
    await stripe.deliver(testApp.app, completed);
    expect((await stripe.deliver(testApp.app, expired)).statusCode).toBe(200);
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'authorized' });
  });

  it('takes money over "ended" when events come out of order: expired, then the late completed', async () => {
    const { paymentId, session } = await startedAttempt();
    const expired = stripe.event('checkout.session.expired', { ...session, status: 'expired' });
    const completed = stripe.event('checkout.session.completed', stripe.pay(session.id));
    await stripe.deliver(testApp.app, expired);
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'declined' });
    await stripe.deliver(testApp.app, completed);
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'authorized' });
  });

  it('waits for an asynchronous method: completed unpaid changes nothing, async_payment_succeeded authorizes', async () => {
    const { paymentId, session } = await startedAttempt();
    await stripe.deliver(testApp.app, stripe.event('checkout.session.completed', session));
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'pending' });
    const paid = stripe.pay(session.id);
    await stripe.deliver(testApp.app, stripe.event('checkout.session.async_payment_succeeded', paid));
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'authorized' });
  });

  it('keeps one authorized payment per order: a second one paid is marked duplicate (ordering owes it back)', async () => {
    const { orderId, paymentId, session } = await startedAttempt();
    const second = await startPayment(sam, orderId);
    const secondSession = stripe.sessions.find(
      (candidate) => candidate.client_reference_id === second.paymentId,
    );
    if (!secondSession) throw new Error('no second session');
    await stripe.deliver(testApp.app, stripe.event('checkout.session.completed', stripe.pay(session.id)));
    await stripe.deliver(
      testApp.app,
      stripe.event('checkout.session.completed', stripe.pay(secondSession.id)),
    );
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'authorized' });
    expect(await payments().findOne({ _id: second.paymentId })).toMatchObject({
      status: 'duplicate',
      providerPaymentId: secondSession.payment_intent,
    });
  });

  it('records and ignores event types that change no payment', async () => {
    const { paymentId, session } = await startedAttempt();
    const event = stripe.event('customer.created', session);
    const response = await stripe.deliver(testApp.app, event);
    expect(response.statusCode).toBe(200);
    expect(await payments().findOne({ _id: paymentId })).toMatchObject({ status: 'pending' });
  });

  it("answers 404 for another provider's webhook path", async () => {
    const { session } = await startedAttempt();
    const { payload, signature } = stripe.sign(stripe.event('checkout.session.completed', session));
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/payments/webhooks/dev',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      payload,
    });
    expect(response.statusCode).toBe(404);
  });
});
