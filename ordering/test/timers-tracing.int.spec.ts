import { parseTraceparent, SpanKind } from '@az-shop/common';
import {
  eventually,
  startTestMongo,
  startTestTracing,
  type TestMongo,
  type TestTracing,
} from '@az-shop/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fulfilmentHandlers } from '../src/fulfilment/handlers';
import { fulfilmentTimers } from '../src/fulfilment/timers';
import { registerOrderingProcessors } from '../src/processors';
import {
  collections,
  order,
  output,
  seedProducts,
  silentLogger,
  TestClock,
  testOrderingConfig,
} from './support/fixtures';

// The write that set a deadline (here: the order's reservation, as if traced).
const WRITER = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };

let mongo: TestMongo;
let tracing: TestTracing;

beforeAll(async () => {
  tracing = await startTestTracing();
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo?.stop();
  await tracing?.stop();
});

describe('ordering timers in the trace', () => {
  it('moves a fulfilment on in a span continuing its traceparent, and the write carries that trace on', async () => {
    const db = mongo.freshDb();
    const clock = new TestClock();
    const deps = { db, logger: silentLogger, config: testOrderingConfig, clock };
    await seedProducts(db, ['p1']);
    const ordering = registerOrderingProcessors(deps, { leases: false });
    await ordering.start();
    const c = collections(db);
    await c.outputs.insertOne(output('out1', 'p1', 1));
    await c.orders.insertOne(order('o1', [{ productId: 'p1', qty: 1 }]));
    await eventually(async () => (await c.fulfilments.findOne({ _id: 'o1' }))?.stage === 'Reserved', {
      what: 'o1 Reserved',
    });
    await ordering.stop();
    await c.fulfilments.updateOne(
      { _id: 'o1' },
      { $set: { traceparent: `00-${WRITER.traceId}-${WRITER.spanId}-01` } },
    );

    clock.advance(16 * 60_000);
    await fulfilmentTimers(deps, fulfilmentHandlers(deps)).tick();

    const span = tracing.spans().find((candidate) => candidate.name === 'ordering.timers expire');
    expect(span?.spanContext().traceId).toBe(WRITER.traceId);
    expect(span?.parentSpanContext?.spanId).toBe(WRITER.spanId);
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(span?.attributes).toMatchObject({ 'az_shop.timer': 'expire', 'az_shop.document_id': 'o1' });
    // The expiry's write names the timer's span: the next hop continues the same trace.
    const expired = await c.fulfilments.findOne({ _id: 'o1' });
    expect(expired?.stage).toBe('Expired');
    expect(parseTraceparent(expired?.traceparent)).toMatchObject({
      traceId: WRITER.traceId,
      spanId: span?.spanContext().spanId,
    });
  });
});
