import { describe, expect, it } from 'vitest';
import { devCardOutcome, devPaymentProvider } from './dev-provider';
import { readSignedEvent, signEvent } from './signed-events';

const SECRET = 'whsec_unit_test';

/** A Checkout Session event as Stripe sends it, signed with SECRET. */
function signed(type: string, session: Record<string, unknown> = {}, secret = SECRET) {
  const payload = JSON.stringify({
    id: 'evt_1',
    object: 'event',
    type,
    data: {
      object: {
        id: 'cs_1',
        object: 'checkout.session',
        client_reference_id: 'p_1',
        payment_intent: 'pi_1',
        payment_status: 'paid',
        ...session,
      },
    },
  });
  return { body: Buffer.from(payload), signature: signEvent(payload, secret) };
}

const read = ({ body, signature }: { body: Buffer; signature: string }) =>
  readSignedEvent(body, signature, SECRET);

describe('reading a signed webhook', () => {
  it.each([
    ['checkout.session.completed', {}, 'authorized'],
    ['checkout.session.completed', { payment_status: 'unpaid' }, 'ignored'],
    ['checkout.session.async_payment_succeeded', {}, 'authorized'],
    ['checkout.session.async_payment_failed', { payment_intent: null }, 'declined'],
    ['checkout.session.expired', { payment_intent: null }, 'declined'],
    ['checkout.session.completed', { client_reference_id: null }, 'ignored'],
  ])('given %s %j, then the payment is %s', (type, session, outcome) => {
    expect(read(signed(type, session))).toMatchObject({ id: 'evt_1', type, outcome });
  });

  it('given a completed session, then it names our payment, the session and what to refund against', () => {
    expect(read(signed('checkout.session.completed'))).toEqual({
      id: 'evt_1',
      type: 'checkout.session.completed',
      outcome: 'authorized',
      paymentId: 'p_1',
      reference: 'cs_1',
      providerPaymentId: 'pi_1',
    });
  });

  it('given another event type, then it is ignored without reading its object', () => {
    const payload = JSON.stringify({
      id: 'evt_2',
      type: 'customer.created',
      data: { object: { id: 'cus_1' } },
    });
    expect(readSignedEvent(Buffer.from(payload), signEvent(payload, SECRET), SECRET)).toEqual({
      id: 'evt_2',
      type: 'customer.created',
      outcome: 'ignored',
    });
  });

  it.each([
    ['another secret', () => signed('checkout.session.completed', {}, 'whsec_other')],
    [
      'a changed body',
      () => {
        const event = signed('checkout.session.completed');
        return { ...event, body: Buffer.from(event.body.toString().replace('p_1', 'p_2')) };
      },
    ],
    ['no signature', () => ({ ...signed('checkout.session.completed'), signature: '' })],
  ])('given %s, then it is refused (400)', (_name, make) => {
    expect(() => read(make())).toThrow(expect.objectContaining({ statusCode: 400 }));
  });

  it('given a signed body that is not an event, or a session event without a session, then it is refused', () => {
    for (const value of [
      [],
      { id: 'evt_3' },
      { id: 'evt_4', type: 'checkout.session.expired', data: { object: { id: 1 } } },
    ]) {
      const payload = JSON.stringify(value);
      expect(() => readSignedEvent(Buffer.from(payload), signEvent(payload, SECRET), SECRET)).toThrow(
        expect.objectContaining({ statusCode: 400 }),
      );
    }
  });
});

describe('the dev provider', () => {
  it('takes only the two test cards, spaces allowed', () => {
    expect(devCardOutcome('4242 4242 4242 4242')).toBe('authorized');
    expect(devCardOutcome('4000000000000002')).toBe('declined');
    expect(devCardOutcome('5555 5555 5555 4444')).toBeNull();
  });

  it('signs what its page confirms so that only the same process reads it', () => {
    const provider = devPaymentProvider({ baseUrl: 'http://shop.test' });
    const webhook = provider.completeCheckout({ paymentId: 'p_1', reference: 'cs_dev_p_1' }, 'authorized');
    expect(provider.readWebhook(webhook.rawBody, webhook.signature)).toMatchObject({
      outcome: 'authorized',
      paymentId: 'p_1',
      reference: 'cs_dev_p_1',
      providerPaymentId: 'pi_dev_p_1',
    });
    const another = devPaymentProvider({ baseUrl: 'http://shop.test' });
    expect(() => another.readWebhook(webhook.rawBody, webhook.signature)).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
  });

  it('points each attempt at its page and refunds by key, the same key giving the same refund', async () => {
    const provider = devPaymentProvider({ baseUrl: 'http://shop.test' });
    const checkout = await provider.createCheckout({
      paymentId: 'p_1',
      orderId: 'o_1',
      amount: 100,
      currency: 'EUR',
      successUrl: 'http://shop.test/orders/o_1',
      cancelUrl: 'http://shop.test/orders/o_1/pay',
    });
    expect(checkout.redirectUrl).toBe('http://shop.test/dev-checkout/p_1');
    const request = {
      providerPaymentId: 'pi_dev_p_1',
      amount: 100,
      currency: 'EUR',
      idempotencyKey: 'refund:p_1',
    };
    expect(await provider.refund(request)).toEqual(await provider.refund(request));
  });
});
