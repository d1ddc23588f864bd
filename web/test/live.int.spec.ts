import type { AddressInfo } from 'node:net';
import { eventually } from '@az-shop/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Stack, seedProducts, startStack, type TestApp } from './helper';
import { ADDRESS, newKey, Shopper } from './shopper';
import { EventReader, get, type StreamingResponse } from './sse';

let stack: Stack;
let testApp: TestApp;
let base: string;
let sam: Shopper;

beforeAll(async () => {
  stack = await startStack();
  testApp = await createTestApp(stack, { SSE_PING_SECONDS: '0.2' });
  await seedProducts(testApp.db, [{ _id: 'chair', heading: 'Oak Chair', amount: 4999 }]);
  // Event streams need a real socket: inject() waits for the end of a response that never ends.
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });

  base = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
  sam = await Shopper.signedIn(testApp.app, 'shopper@example.com');
});

afterAll(async () => {
  await testApp?.close();
  await stack?.stop();
});

async function placeOrder(): Promise<string> {
  await sam.request('POST', '/api/cart/lines', { productId: 'chair', qty: 1 });
  const response = await sam.request('POST', '/api/checkout', { address: ADDRESS, idempotencyKey: newKey() });
  return (response.json() as { orderId: string }).orderId;
}

async function open(
  path: string,
  cookie?: string,
): Promise<{ response: StreamingResponse; events: EventReader }> {
  const response = await get(`${base}${path}`, { accept: 'text/event-stream', ...(cookie && { cookie }) });
  return { response, events: new EventReader(response) };
}

function fulfilment(orderId: string, stage: string) {
  const at = new Date();
  return {
    _id: orderId,
    partition_key: 'shopper-0001',
    orderId,
    userId: 'shopper-0001',
    warehouse: 'main',
    stage,
    lines: [{ productId: 'chair', qty: 1, held: true }],
    shortLines: [],
    total: 4999,
    currency: 'EUR',
    placedAt: at,
    payBy: new Date(at.getTime() + 15 * 60_000),
    paid: false,
    refundsDue: [],
    history: [{ stage: 'Placed', at }],
    version: 1,
  };
}

describe('GET /api/orders/:id/events', () => {
  it('sends the fulfilment now and on every change of it, with pings between', async () => {
    const orderId = await placeOrder();
    const other = await placeOrder();
    const { response, events } = await open(`/api/orders/${orderId}/events`, sam.cookie);
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff', // the app's headers apply
    });

    expect(await events.next()).toEqual({ event: 'fulfilment', data: null }); // ordering has not seen it yet

    const fulfilments = testApp.db.collection<{ _id: string }>('fulfilments');
    await fulfilments.insertOne(fulfilment(orderId, 'Placed'));
    expect(await events.next()).toMatchObject({
      event: 'fulfilment',
      data: { stage: 'Placed', cancellable: true },
    });

    // Another order's change is not sent here.
    await fulfilments.insertOne(fulfilment(other, 'Reserved'));
    await fulfilments.updateOne(
      { _id: orderId },
      {
        $set: { stage: 'Shipped', paid: true },
        $push: { history: { stage: 'Shipped', at: new Date() } } as never,
      },
    );
    const shipped = await events.next();
    expect(shipped).toMatchObject({ data: { stage: 'Shipped', paid: true, cancellable: false } });
    expect((shipped.data as { history: unknown[] }).history).toHaveLength(2);

    await events.comment('ping');
    events.cancel();
    // The server lets go of a client that went away.
    await eventually(async () => testApp.app.live.fulfilments.size === 0);
  });

  it('is 401 signed out and 404 for an unknown order, before any stream starts', async () => {
    const orderId = await placeOrder();
    const signedOut = await get(`${base}/api/orders/${orderId}/events`);
    expect(signedOut.status).toBe(401);
    expect(await signedOut.json()).toMatchObject({ error: 'UNAUTHORIZED' });
    const unknown = await get(`${base}/api/orders/o_unknown/events`, { cookie: sam.cookie });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'NOT_FOUND' });
  });
});

describe('GET /api/products/:id/availability/events', () => {
  it('sends the availability now and on every stock change of the product', async () => {
    const { response, events } = await open('/api/products/chair/availability/events');
    expect(response.status).toBe(200);
    expect(await events.next()).toEqual({
      event: 'availability',
      data: { productId: 'chair', available: 0 },
    });

    const stock = testApp.db.collection<{ _id: string }>('stock');
    const doc = (warehouse: string, available: number) => ({
      _id: `${warehouse}:chair`,
      partition_key: 'chair',
      productId: 'chair',
      warehouse,
      onHand: available,
      reserved: 0,
      available,
      shipped: 0,
      holds: [],
      waiting: [],
      toNotify: [],
      appliedOutputs: [],
      version: 1,
    });
    await stock.insertOne(doc('main', 5));
    expect(await events.next()).toEqual({
      event: 'availability',
      data: { productId: 'chair', available: 5 },
    });
    await stock.insertOne(doc('north', 2));
    expect(await events.next((event) => (event.data as { available: number }).available === 7)).toBeDefined();
    await stock.updateOne({ _id: 'main:chair' }, { $set: { available: 1, reserved: 4 } });
    expect(await events.next()).toEqual({
      event: 'availability',
      data: { productId: 'chair', available: 3 },
    });
    events.cancel();
  });

  it('is 404 for an unknown product', async () => {
    const response = await get(`${base}/api/products/nope/availability/events`);
    expect(response.status).toBe(404);
    await response.json();
  });
});

describe('closing the app', () => {
  it('ends open event streams instead of waiting for them', async () => {
    const own = await createTestApp(stack);
    await seedProducts(own.db, [{ _id: 'chair', heading: 'Oak Chair' }]);
    await own.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (own.app.server.address() as AddressInfo).port;
    const events = new EventReader(
      await get(`http://127.0.0.1:${port}/api/products/chair/availability/events`),
    );
    await events.next();
    await own.close();
    await events.end();
    expect(events.ended).toBe(true);
  });
});
