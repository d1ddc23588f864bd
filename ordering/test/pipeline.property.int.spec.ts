import { startTestMongo, type TestMongo } from '@az-shop/common/testing';
import fc from 'fast-check';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fulfilmentHandlers } from '../src/fulfilment/handlers';
import { isTerminal } from '../src/fulfilment/rules';
import { fulfilmentTimers } from '../src/fulfilment/timers';
import { PICKING_SLOTS } from '../src/picking/slots';
import {
  collections,
  insertEvent,
  order,
  output,
  payment,
  seedProducts,
  silentLogger,
  stockBalanceProblems,
  TestClock,
  testOrderingConfig,
} from './support/fixtures';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.stop();
});

const products = ['p1', 'p2'];
const orderIds = Array.from({ length: 8 }, (_, i) => `o${i}`);
const step = fc.oneof(
  fc.record({
    kind: fc.constant('order' as const),
    orderId: fc.constantFrom(...orderIds),
    lines: fc.array(
      fc.record({ productId: fc.constantFrom(...products), qty: fc.integer({ min: 1, max: 3 }) }),
      {
        minLength: 1,
        maxLength: 2,
      },
    ),
  }),
  fc.record({
    kind: fc.constant('output' as const),
    n: fc.integer({ min: 0, max: 10 }),
    productId: fc.constantFrom(...products),
    qty: fc.integer({ min: 1, max: 4 }),
  }),
  // An output delivered again, twice at once (a re-delivery racing the original's retry, say).
  fc.record({ kind: fc.constant('redeliver' as const), n: fc.integer({ min: 0, max: 10 }) }),
  fc.record({
    kind: fc.constant('pay' as const),
    orderId: fc.constantFrom(...orderIds),
    right: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('cancel' as const), orderId: fc.constantFrom(...orderIds) }),
  fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 600 }) }),
);

describe('pipeline invariants against the dev Mongo server, through the handlers', () => {
  it('hold after every step of random sequences of orders, outputs, payments, cancellations and time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 25 }), async (steps) => {
        const db = mongo.freshDb();
        const clock = new TestClock();
        const config = {
          ...testOrderingConfig,
          PICKING_CAPACITY: 2,
          PICKING_SECONDS: 10,
          DELIVERY_SECONDS: 20,
        };
        const deps = { db, logger: silentLogger, config, clock };
        const handlers = fulfilmentHandlers(deps);
        const timers = fulfilmentTimers(deps, handlers);
        const c = collections(db);
        await seedProducts(db, products);
        /** The factory's write (first one wins for an id), as the stream would show it. */
        const storedOutput = async (document: ReturnType<typeof output>) => {
          await c.outputs.updateOne({ _id: document._id }, { $setOnInsert: document }, { upsert: true });
          return (await c.outputs.findOne({ _id: document._id }))!;
        };
        const placed = new Map<string, ReturnType<typeof order>>();

        for (const s of steps) {
          if (s.kind === 'order') {
            const document = placed.get(s.orderId) ?? order(s.orderId, s.lines, { placedAt: clock.now() });
            placed.set(s.orderId, document);
            await c.orders.updateOne({ _id: document._id }, { $setOnInsert: document }, { upsert: true });
            await handlers.onOrderPlaced(insertEvent(document));
          } else if (s.kind === 'output') {
            await handlers.onFactoryOutput(
              insertEvent(await storedOutput(output(`out${s.n}`, s.productId, s.qty))),
            );
          } else if (s.kind === 'redeliver') {
            const stored = await c.outputs.findOne({ _id: `out${s.n}` });
            if (stored) {
              await Promise.all([
                handlers.onFactoryOutput(insertEvent(stored)),
                handlers.onFactoryOutput(insertEvent(stored)),
              ]);
            }
          } else if (s.kind === 'pay') {
            const document = placed.get(s.orderId) ?? order(s.orderId, [{ productId: 'p1', qty: 1 }]);
            await handlers.onPaymentAuthorized(
              insertEvent(payment(document, `pay-${s.right}`, s.right ? document.total : 1)),
            );
          } else if (s.kind === 'cancel') {
            const cancellation = {
              _id: `c-${s.orderId}`,
              partition_key: 'u',
              orderId: s.orderId,
              userId: 'u',
              requestedAt: clock.now(),
            };
            await handlers.onCancellationRequested(insertEvent(cancellation));
          } else {
            clock.advance(s.seconds * 1000);
            await timers.tick();
          }
          for (const productId of products) expect(await stockBalanceProblems(db, productId)).toEqual([]);
          const slots = await db.collection(PICKING_SLOTS).findOne({ _id: 'main' } as Document);
          expect((slots?.holders ?? []).length).toBeLessThanOrEqual(2);
          expect(await c.fulfilments.countDocuments({ stage: 'Picking' })).toBeLessThanOrEqual(2);
          expect(await c.fulfilments.countDocuments({ stage: 'Expired', paid: true })).toBe(0);
        }
        // Every order ends in exactly one terminal stage or is still progressing: drive it to the end.
        for (const document of placed.values())
          await handlers.onPaymentAuthorized(insertEvent(payment(document, 'final')));
        for (const productId of products) {
          const stock = await c.stock.findOne({ _id: `main:${productId}` });
          const needed = (stock?.waiting ?? []).reduce((sum, w) => sum + w.qty, 0);
          if (needed > 0) {
            await handlers.onFactoryOutput(
              insertEvent(await storedOutput(output(`final-${productId}`, productId, needed))),
            );
          }
        }
        for (let i = 0; i < 12; i++) {
          clock.advance(30_000);
          await timers.tick();
        }
        for (const f of await c.fulfilments.find().toArray()) {
          expect(isTerminal(f.stage), `${f._id} is ${f.stage}`).toBe(true);
          expect(new Set(f.history.filter((h) => isTerminal(h.stage)).map((h) => h.stage)).size).toBe(1);
        }
        for (const productId of products) {
          expect(await stockBalanceProblems(db, productId)).toEqual([]);
          const ledger = await c.stock.findOne({ _id: `main:${productId}` });
          expect(ledger?.reserved ?? 0).toBe(0);
          // Every output settled: counted once for good, no id left on the ledger.
          expect(ledger?.appliedOutputs ?? []).toEqual([]);
        }
        expect(await c.receipts.countDocuments({ state: { $ne: 'applied' } })).toBe(0);
        expect(await c.receipts.countDocuments()).toBe(await c.outputs.countDocuments());
      }),
      { numRuns: 25 },
    );
  });
});
