import { REFUNDS, type ServiceReactions, systemClock } from '@az-shop/common';
import { eventually, silentLogger } from '@az-shop/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrderingProcessors } from '../../ordering/src/processors';
import { testOrderingConfig } from '../../ordering/test/support/fixtures';
import { refundHandler } from '../src/payments/refunds';
import { registerWebProcessors } from '../src/processors';
import { createTestApp, type Stack, seedProducts, startStack, type TestApp } from './helper';
import { placeOrder, Shopper, startPayment } from './shopper';
import { type StripeStandIn, startStripeStandIn } from './stripe-stand-in';

let stack: Stack;
let stripe: StripeStandIn;
let testApp: TestApp;
let ordering: ServiceReactions;
let web: ServiceReactions;
let sam: Shopper;

beforeAll(async () => {
  [stack, stripe] = await Promise.all([startStack(), startStripeStandIn()]);
  testApp = await createTestApp(stack, {
    ...stripe.appSettings,
  });
  // No stock and no factory: the order stays Backordered, so it can be paid and then cancelled.
  await seedProducts(testApp.db, [{ _id: 'stool', heading: 'Pine Stool', amount: 1500 }]);
  const deps = { db: testApp.db, logger: silentLogger };
  ordering = registerOrderingProcessors(
    { ...deps, config: testOrderingConfig, clock: systemClock },
    { leases: false },
  );
  web = registerWebProcessors({ ...deps, provider: testApp.app.paymentProvider }, { leases: false });
  await Promise.all([ordering.start(), web.start()]);
  sam = await Shopper.signedIn(testApp.app, 'shopper@example.com');
});

afterAll(async () => {
  await Promise.allSettled([ordering?.stop(), web?.stop()]);
  await testApp?.close();
  await Promise.allSettled([stack?.stop(), stripe?.stop()]);
});

const fulfilment = (orderId: string) =>
  testApp.db
    .collection<{ _id: string; paid: boolean; stage: string }>('fulfilments')
    .findOne({ _id: orderId });

describe('refunds', () => {
  it('an order paid then cancelled is refunded once through Stripe and recorded, even when the handler runs again', async () => {
    const orderId = await placeOrder(sam, { stool: 2 });
    await eventually(async () => (await fulfilment(orderId))?.stage === 'Backordered', {
      what: 'backordered',
    });
    const { paymentId } = await startPayment(sam, orderId);
    const session = stripe.sessions.find((candidate) => candidate.client_reference_id === paymentId);
    if (!session) throw new Error('no session');
    const paid = stripe.pay(session.id);
    expect(
      (await stripe.deliver(testApp.app, stripe.event('checkout.session.completed', paid))).statusCode,
    ).toBe(200);
    await eventually(async () => (await fulfilment(orderId))?.paid === true, { what: 'paid' });

    expect((await sam.request('POST', `/api/orders/${orderId}/cancellation`)).statusCode).toBe(202);
    const refunds = testApp.db.collection(REFUNDS);
    await eventually(async () => (await refunds.countDocuments({ orderId })) === 1, {
      what: 'refund recorded',
    });
    const recorded = await refunds.findOne({ orderId });
    expect(recorded).toMatchObject({
      _id: paymentId,
      paymentId,
      partition_key: 'shopper-0001',
      provider: 'stripe',
      amount: 3000,
      currency: 'EUR',
      status: 'succeeded',
      reason: 'the order was cancelled',
    });
    expect(stripe.refunds).toEqual([
      {
        id: recorded?.providerRefundId,
        object: 'refund',
        amount: 3000,
        payment_intent: paid.payment_intent,
        status: 'succeeded',
      },
    ]);

    // The handler again, twice at once (a re-delivered event, a second instance), and once more
    // after the record was lost: Stripe's idempotency key keeps it one refund.
    const handle = refundHandler({
      db: testApp.db,
      provider: testApp.app.paymentProvider,
      logger: silentLogger,
    });
    const event = {
      operationType: 'update' as const,
      documentKey: { _id: orderId },
      fullDocument: await fulfilment(orderId),
      token: undefined,
      source: 'stream' as const,
    };
    const ctx = {
      processor: 'web.onRefundDue',
      partitionKey: 'shopper-0001',
      bucket: 0,
      attempt: 1,
      signal: new AbortController().signal,
      logger: silentLogger,
    };
    await Promise.all([handle(event, ctx), handle(event, ctx)]);
    await refunds.deleteOne({ _id: paymentId } as object);
    await handle(event, ctx);
    expect(await refunds.countDocuments({ orderId })).toBe(1);
    expect((await refunds.findOne({ orderId }))?.providerRefundId).toBe(recorded?.providerRefundId);
    expect(stripe.refunds).toHaveLength(1);
    expect(
      stripe.requests
        .filter((request) => request.path === '/v1/refunds')
        .map((request) => request.idempotencyKey),
    ).toEqual(expect.arrayContaining([`refund:${paymentId}`]));
  });
});
