import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  type OrderDocument,
  parseTraceparent,
  type ServiceReactions,
  SpanKind,
  systemClock,
} from '@az-shop/common';
import { MongoSpanExporter } from '@az-shop/common/telemetry/mongo-span-exporter';
import { type ReadableSpan, startTestTracing, type TestTracing } from '@az-shop/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testFactoryConfig } from '../../factory/test/support/fixtures';
import { startBothServices } from '../../ordering/test/support/both-services';
import { createTestApp, type Stack, seedProducts, startStack, type TestApp } from './helper';
import { databaseUri } from './mongo';
import { ADDRESS, newKey, Shopper } from './shopper';
import { EventReader, get } from './sse';

// One order placed through web's API, with ordering and the factory running on the same database:
// the trace its checkout starts must run through every change-stream hop the order causes.
let tracing: TestTracing;
let stack: Stack;
let testApp: TestApp;
let services: ServiceReactions[] = [];

beforeAll(async () => {
  stack = await startStack();
  const uri = databaseUri(stack.mongo.uri, `web_tracing_${randomBytes(4).toString('hex')}`);
  // Before the app (@fastify/otel hooks each Fastify instance as it is created); the spans also go
  // to the local span store in the app's database, which the back office draws.
  tracing = await startTestTracing({ alsoTo: [new MongoSpanExporter(uri)] });
  testApp = await createTestApp(stack, { MONGO_DB: uri, TRACE_STORE: 'mongo' });
  // No stock at all: the order is backordered, so the factory builds it.
  await seedProducts(testApp.db, [{ _id: 'lamp', heading: 'Brass Lamp', amount: 2500 }]);
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  services = await startBothServices(testApp.db, systemClock, testFactoryConfig);
});

afterAll(async () => {
  for (const service of services) await service.stop();
  await testApp?.close();
  await stack?.stop();
  await tracing?.stop();
});

/** The finished spans of one trace. */
function traceOf(traceId: string): ReadableSpan[] {
  return tracing.spans().filter((span) => span.spanContext().traceId === traceId);
}

/** The span's ancestors up to the trace's root, among the finished spans. */
function ancestry(span: ReadableSpan, spans: ReadableSpan[]): ReadableSpan[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanContext().spanId, candidate]));
  const chain: ReadableSpan[] = [];
  for (let parent = span.parentSpanContext; parent; ) {
    const found = byId.get(parent.spanId);
    if (!found) break;
    chain.push(found);
    parent = found.parentSpanContext;
  }
  return chain;
}

async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('one trace per order, across services and change-stream hops', () => {
  it('joins web’s checkout, ordering, the factory and web’s live update in the checkout’s trace', async () => {
    const sam = await Shopper.signedIn(testApp.app, 'shopper@example.com');
    await sam.request('POST', '/api/cart/lines', { productId: 'lamp', qty: 1 });
    const checkout = await sam.request('POST', '/api/checkout', {
      address: ADDRESS,
      idempotencyKey: newKey(),
    });
    expect(checkout.statusCode).toBe(201);
    const { orderId } = checkout.json() as { orderId: string };

    // The order document carries the checkout's trace context: the first hop's parent.
    const order = await testApp.db.collection<OrderDocument>('orders').findOne({ _id: orderId });
    const traceId = parseTraceparent(order?.traceparent)?.traceId;
    expect(traceId).toBeDefined();
    if (!traceId) return;

    // The browser's live view of the order, as the order page opens it.
    const port = (testApp.app.server.address() as AddressInfo).port;
    const response = await get(`http://127.0.0.1:${port}/api/orders/${orderId}/events`, {
      accept: 'text/event-stream',
      cookie: sam.cookie,
    });
    const events = new EventReader(response);

    const hops = [
      'ordering.onOrderPlaced process', // orders → ordering: stock short, the fulfilment Backordered
      'factory.onFulfilmentChanged process', // fulfilments → factory: a work item for the short line
      'ordering.onFactoryOutput process', // factory_output → ordering: the unit allocated, Reserved
      'web.live fulfilments', // fulfilments → web: the change pushed to the browser
    ];
    const spans = await until(() => {
      const spans = traceOf(traceId);
      const named = (name: string) => spans.some((span) => span.name === name);
      return hops.every(named) && named('factory.buildScheduler deliver') ? spans : undefined;
    }, `every hop in trace ${traceId}`);
    response.close();
    events.cancel();

    // web: the checkout request's spans (Fastify's instrumentation) are the trace's root.
    const web = spans.filter((span) => span.instrumentationScope.name === '@fastify/otel');
    expect(web.length).toBeGreaterThan(0);
    const root = spans.find((span) => !span.parentSpanContext);
    expect(root?.instrumentationScope.name).toBe('@fastify/otel');

    // Each hop is a consumer span whose ancestry reaches back to the checkout, hop by hop.
    const consumers = spans.filter((span) => span.kind === SpanKind.CONSUMER);
    expect(consumers.length).toBeGreaterThanOrEqual(4);
    const hop = (name: string) => spans.find((span) => span.name === name)!;
    const names = (span: ReadableSpan) => ancestry(span, spans).map((parent) => parent.name);
    expect(names(hop('ordering.onOrderPlaced process'))).toContain(root!.name);
    expect(names(hop('factory.onFulfilmentChanged process'))).toContain('ordering.onOrderPlaced process');
    expect(names(hop('ordering.onFactoryOutput process'))).toEqual(
      expect.arrayContaining(['factory.buildScheduler deliver', 'factory.onFulfilmentChanged process']),
    );
    expect(names(hop('web.live fulfilments'))).toContain('ordering.onFactoryOutput process');

    // What a handler span says about its event.
    expect(hop('ordering.onOrderPlaced process').attributes).toMatchObject({
      'az_shop.processor': 'ordering.onOrderPlaced',
      'messaging.destination.name': 'orders',
      'az_shop.partition_key': order?.partition_key,
      // The processors had just started: the order may come from their catch-up scan, not the stream.
      'az_shop.operation': expect.stringMatching(/^(insert|catch-up)$/),
      'az_shop.document_id': orderId,
    });
  });

  it('draws the order’s trace for the back office from the local span store', async () => {
    const sam = await Shopper.signedIn(testApp.app, 'shopper@example.com');
    await sam.request('POST', '/api/cart/lines', { productId: 'lamp', qty: 1 });
    const checkout = await sam.request('POST', '/api/checkout', {
      address: ADDRESS,
      idempotencyKey: newKey(),
    });
    const { orderId } = checkout.json() as { orderId: string };
    const order = await testApp.db.collection<OrderDocument>('orders').findOne({ _id: orderId });
    const traceId = parseTraceparent(order?.traceparent)?.traceId;
    const stored = testApp.db.collection('trace_spans');
    await until(
      async () => (await stored.findOne({ traceId, name: 'ordering.onFactoryOutput process' })) ?? undefined,
      'the last hop in the span store',
    );

    const ada = await Shopper.signedIn(testApp.app, 'admin@example.com');
    // The order's page offers the picture: the span store is on and the order was traced.
    expect((await ada.request('GET', `/api/admin/orders/${orderId}`)).json()).toMatchObject({ traced: true });
    const picture = await ada.request('GET', `/api/admin/orders/${orderId}/trace.svg`);
    expect(picture.statusCode).toBe(200);
    expect(picture.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    for (const hop of [
      'ordering.onOrderPlaced process',
      'factory.onFulfilmentChanged process',
      'ordering.onFactoryOutput process',
    ])
      expect(picture.body).toContain(hop);
    // Only an admin sees it; an order placed untraced (or unknown) has none.
    expect((await sam.request('GET', `/api/admin/orders/${orderId}/trace.svg`)).statusCode).toBe(403);
    expect(
      (await ada.request('GET', '/api/admin/orders/o_unknown000000000000000/trace.svg')).statusCode,
    ).toBe(404);
  });
});
