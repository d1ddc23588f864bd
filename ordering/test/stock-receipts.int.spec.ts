import {
  createProcessor,
  FACTORY_OUTPUT,
  processorDefaults,
  type ServiceReactions,
  STOCK_RECEIPTS,
  type StockReceiptDocument,
} from '@az-shop/common';
import { eventually, intercepted, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import { BSON, type Collection, type Db } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OrderingConfig } from '../src/config';
import { fulfilmentHandlers } from '../src/fulfilment/handlers';
import { registerOrderingProcessors } from '../src/processors';
import { applyOutput, type OutputReceived, receiptProblems } from '../src/stock/index';
import { receiptStore } from '../src/stock/receipt-store';
import { stockStore } from '../src/stock/store';
import {
  collections,
  insertEvent,
  order,
  output,
  seedProducts,
  silentLogger,
  stockBalanceProblems,
  stockOf,
  TestClock,
  testOrderingConfig,
} from './support/fixtures';

/**
 * Factory outputs counted exactly once with a ledger that keeps only the outputs in flight
 * (docs/domain.md "The stock ledger"): re-deliveries, a crash between any two steps of the handler,
 * a stale concurrent handler, ids left by the version before receipts, and the ledger's size.
 */

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.stop();
});
let running: ServiceReactions | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function setUp(config: OrderingConfig = testOrderingConfig) {
  const db = mongo.freshDb();
  const clock = new TestClock();
  await seedProducts(db, ['p1', 'p2']);
  const deps = { db, logger: silentLogger, config, clock };
  const now = () => clock.now();
  return {
    db,
    deps,
    handlers: fulfilmentHandlers(deps),
    stock: stockStore(db, now),
    receipts: receiptStore(db, now),
    receiptDocs: db.collection<StockReceiptDocument>(STOCK_RECEIPTS),
    c: collections(db),
  };
}

const received = (o: ReturnType<typeof output>): OutputReceived => ({
  outputId: o._id,
  productId: o.productId,
  warehouse: o.warehouse,
  qty: o.qty,
});

/** The ledger against the receipts, and against the fulfilments and all outputs written. */
async function balanced(db: Db, receiptDocs: Collection<StockReceiptDocument>, productId: string) {
  const ledger = await stockOf(db, productId);
  expect(ledger).not.toBeNull();
  expect(receiptProblems(ledger!, await receiptDocs.find().toArray())).toEqual([]);
  expect(await stockBalanceProblems(db, productId)).toEqual([]);
}

describe('factory outputs: exactly once, the ledger keeping only outputs in flight', () => {
  it('the same output delivered many times, one after another and all at once: counted once', async () => {
    const { db, handlers, receiptDocs, c } = await setUp();
    const o = output('out1', 'p1', 4);
    await c.outputs.insertOne(o);
    for (let i = 0; i < 10; i++) await handlers.onFactoryOutput(insertEvent(o));
    await Promise.all(Array.from({ length: 20 }, () => handlers.onFactoryOutput(insertEvent(o))));
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 4, available: 4, appliedOutputs: [] });
    expect(await receiptDocs.find().toArray()).toMatchObject([
      { _id: 'out1', partition_key: 'p1', state: 'applied', qty: 4 },
    ]);
    await balanced(db, receiptDocs, 'p1');
  });

  it('different outputs of one product and their repeats all at once: each counted once', async () => {
    const { db, handlers, receiptDocs, c } = await setUp();
    const outputs = Array.from({ length: 10 }, (_, i) => output(`out${i}`, 'p1', i + 1));
    await c.outputs.insertMany(outputs);
    await Promise.all(
      [...outputs, ...outputs, ...outputs].map((o) => handlers.onFactoryOutput(insertEvent(o))),
    );
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 55, appliedOutputs: [] });
    expect(await receiptDocs.countDocuments({ state: 'applied' })).toBe(10);
    await balanced(db, receiptDocs, 'p1');
  });

  describe('a crash between any two steps converges when the output is delivered again', () => {
    type Setup = Awaited<ReturnType<typeof setUp>>;
    // Each leaves what a handler that died at that point leaves: only the first steps were done, with
    // the same store calls the handler makes.
    const crashes: { after: string; onHand: number; run: (s: Setup, o: OutputReceived) => Promise<void> }[] =
      [
        { after: 'nothing (died before the receipt)', onHand: 0, run: async () => {} },
        {
          after: 'the receipt inserted pending',
          onHand: 0,
          run: async ({ receipts }, o) => {
            await receipts.open(o);
          },
        },
        {
          after: 'the qty added (id in flight, queue served, nobody told)',
          onHand: 4,
          run: async ({ receipts, stock }, o) => {
            await receipts.open(o);
            await stock.change(o.warehouse, o.productId, (s) => applyOutput(s, o));
          },
        },
        {
          after: 'the receipt marked applied (id still on the ledger)',
          onHand: 4,
          run: async ({ receipts, stock }, o) => {
            await receipts.open(o);
            await stock.change(o.warehouse, o.productId, (s) => applyOutput(s, o));
            await receipts.markApplied([o]);
          },
        },
        {
          after: 'the id retired (the queue not yet told)',
          onHand: 4,
          run: async ({ receipts, stock }, o) => {
            await receipts.open(o);
            await stock.change(o.warehouse, o.productId, (s) => applyOutput(s, o));
            await receipts.markApplied([o]);
            await stock.retireOutputs(o.warehouse, o.productId, [o.outputId]);
          },
        },
      ];

    for (const crash of crashes) {
      it(`after ${crash.after}`, async () => {
        const setup = await setUp();
        const { db, handlers, receiptDocs, c } = setup;
        // A backorder waits for the output, so the queue's notice (the last step) is checked too.
        const waiting = order('o1', [{ productId: 'p1', qty: 3 }]);
        await c.orders.insertOne(waiting);
        await handlers.onOrderPlaced(insertEvent(waiting));
        expect((await c.fulfilments.findOne({ _id: 'o1' }))?.stage).toBe('Backordered');
        const o = output('out1', 'p1', 4);
        await c.outputs.insertOne(o);

        await crash.run(setup, received(o));
        expect((await stockOf(db, 'p1'))?.onHand ?? 0).toBe(crash.onHand);

        await handlers.onFactoryOutput(insertEvent(o));
        const settled = {
          onHand: 4,
          reserved: 3,
          available: 1,
          appliedOutputs: [],
          toNotify: [],
          holds: [{ fulfilmentId: 'o1', qty: 3 }],
        };
        expect(await stockOf(db, 'p1')).toMatchObject(settled);
        expect(await receiptDocs.findOne({ _id: 'out1' })).toMatchObject({ state: 'applied' });
        expect((await c.fulfilments.findOne({ _id: 'o1' }))?.stage).toBe('Reserved');
        await balanced(db, receiptDocs, 'p1');

        // And any number of deliveries after that changes nothing.
        await Promise.all(Array.from({ length: 5 }, () => handlers.onFactoryOutput(insertEvent(o))));
        expect(await stockOf(db, 'p1')).toMatchObject(settled);
        await balanced(db, receiptDocs, 'p1');
      });
    }
  });

  for (const base of [0, 5]) {
    it(`a stale handler that saw the receipt pending while another delivery finished does not count it again (${base ? 'a ledger there' : 'no ledger yet'})`, async () => {
      const { db, deps, handlers, receiptDocs, c } = await setUp();
      if (base) {
        const earlier = output('out0', 'p1', base);
        await c.outputs.insertOne(earlier);
        await handlers.onFactoryOutput(insertEvent(earlier));
      }
      const o = output('out1', 'p1', 4);
      await c.outputs.insertOne(o);
      // The stale handler (a lease holder that lost its lease, say) stops right after looking at the
      // receipt; meanwhile the output is delivered in full elsewhere: applied, receipt marked, id retired.
      let paused = false;
      const stale = fulfilmentHandlers({
        ...deps,
        db: afterReceiptLook(db, async () => {
          if (paused) return;
          paused = true;
          await handlers.onFactoryOutput(insertEvent(o));
          expect(await stockOf(db, 'p1')).toMatchObject({ onHand: base + 4, appliedOutputs: [] });
        }),
      });
      await stale.onFactoryOutput(insertEvent(o));
      expect(paused).toBe(true);
      expect(await stockOf(db, 'p1')).toMatchObject({ onHand: base + 4, appliedOutputs: [] });
      await balanced(db, receiptDocs, 'p1');
    });
  }

  it('ids left on a ledger by the version before receipts are settled by the next output', async () => {
    const { db, handlers, stock, receiptDocs, c } = await setUp();
    const old = [output('old1', 'p1', 1), output('old2', 'p1', 2), output('old3', 'p1', 3)];
    await c.outputs.insertMany(old);
    // As the old handler left them: counted, ids kept for ever, no receipts. One id has lost its output.
    for (const o of old) await stock.change('main', 'p1', (s) => applyOutput(s, received(o)));
    await stock.change('main', 'p1', (s) => applyOutput(s, { outputId: 'lost', qty: 5 }));
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 11 });

    const fresh = output('new1', 'p1', 10);
    await c.outputs.insertOne(fresh);
    await handlers.onFactoryOutput(insertEvent(fresh));
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 21, appliedOutputs: ['lost'] });
    expect(await receiptDocs.countDocuments({ state: 'applied' })).toBe(4);

    // The old outputs delivered again (a catch-up scan) change nothing.
    for (const o of old) await handlers.onFactoryOutput(insertEvent(o));
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 21, appliedOutputs: ['lost'] });
    expect(await receiptDocs.find({ _id: 'old2' }).toArray()).toMatchObject([
      { state: 'applied', qty: 2, productId: 'p1', warehouse: 'main', partition_key: 'p1' },
    ]);
  });

  it('STOCK_RETIRE_OUTPUTS=false keeps the ids (beside the version before receipts); switched on, they go', async () => {
    const { db, deps, receiptDocs, c } = await setUp();
    const keeping = fulfilmentHandlers({ ...deps, config: { ...deps.config, STOCK_RETIRE_OUTPUTS: false } });
    const outputs = [output('out1', 'p1', 1), output('out2', 'p1', 2)];
    await c.outputs.insertMany(outputs);
    for (const o of [...outputs, ...outputs]) await keeping.onFactoryOutput(insertEvent(o));
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 3, appliedOutputs: ['out1', 'out2'] });
    expect(await receiptDocs.countDocuments({ state: 'applied' })).toBe(2);

    const retiring = fulfilmentHandlers(deps);
    const next = output('out3', 'p1', 4);
    await c.outputs.insertOne(next);
    await retiring.onFactoryOutput(insertEvent(next));
    for (const o of outputs) await retiring.onFactoryOutput(insertEvent(o));
    expect(await stockOf(db, 'p1')).toMatchObject({ onHand: 7, appliedOutputs: [] });
    await balanced(db, receiptDocs, 'p1');
  });

  it('500 outputs of one product through the processor: counted once, the ledger stays small', {
    timeout: 120_000,
  }, async () => {
    const { db, deps, receiptDocs, c } = await setUp();
    running = registerOrderingProcessors(deps, { leases: false });
    await running.start();
    const outputs = Array.from({ length: 500 }, (_, i) =>
      output(`out:w-${String(i).padStart(4, '0')}`, 'p1', 1 + (i % 3)),
    );
    const total = outputs.reduce((sum, o) => sum + o.qty, 0);
    let mostInFlight = 0;
    for (let i = 0; i < outputs.length; i += 50) await c.outputs.insertMany(outputs.slice(i, i + 50));
    await eventually(
      async () => {
        const ledger = await stockOf(db, 'p1');
        mostInFlight = Math.max(mostInFlight, ledger?.appliedOutputs.length ?? 0);
        return ledger?.onHand === total && ledger.appliedOutputs.length === 0;
      },
      { timeoutMs: 100_000, intervalMs: 20, what: `onHand ${total} and no id in flight` },
    );
    const ledger = await stockOf(db, 'p1');
    expect(ledger).toMatchObject({ onHand: total, available: total, appliedOutputs: [] });
    // One product's outputs are handled one at a time: at most one id is ever in flight.
    expect(mostInFlight).toBeLessThanOrEqual(1);
    // The ledger is as small as an empty one; the 500 ids alone would be ≈ 10 KB.
    const size = BSON.calculateObjectSize(ledger!);
    expect(size).toBeLessThan(400);
    expect(BSON.calculateObjectSize({ ids: outputs.map((o) => o._id) })).toBeGreaterThan(25 * size);
    expect(await receiptDocs.countDocuments({ state: 'applied' })).toBe(500);
    await balanced(db, receiptDocs, 'p1');
  });

  it('a catch-up scan after the checkpoint is lost delivers every output again: nothing changes', async () => {
    const { db, deps, handlers, receiptDocs, c } = await setUp();
    const outputs = Array.from({ length: 30 }, (_, i) => output(`out${i}`, i % 2 ? 'p1' : 'p2', 2));
    await c.outputs.insertMany(outputs);
    for (const o of outputs) await handlers.onFactoryOutput(insertEvent(o));
    const before = await c.stock.find({}, { projection: { updatedAt: 0, version: 0 } }).toArray();
    expect(before.map((s) => s.onHand)).toEqual([30, 30]);

    // No checkpoint: the processor scans the whole collection before following the stream.
    let delivered = 0;
    const processor = createProcessor({
      ...processorDefaults(deps, { leases: false }),
      name: 'ordering.onFactoryOutput',
      collection: FACTORY_OUTPUT,
      handle: async (event) => {
        await handlers.onFactoryOutput(event);
        delivered++;
      },
    });
    await processor.start();
    try {
      await eventually(async () => delivered >= outputs.length, { what: 'every output delivered again' });
    } finally {
      await processor.stop();
    }
    expect(await c.stock.find({}, { projection: { updatedAt: 0, version: 0 } }).toArray()).toEqual(before);
    await balanced(db, receiptDocs, 'p1');
    await balanced(db, receiptDocs, 'p2');
  });
});

/**
 * `db` whose `stock_receipts` reads and inserts call `pause` once they have answered: the handler has
 * looked at the receipt and not yet written the ledger.
 */
function afterReceiptLook(db: Db, pause: () => Promise<void>): Db {
  return intercepted(db, STOCK_RECEIPTS, ['insertOne', 'findOne'], async (call) => {
    try {
      return await call();
    } finally {
      await pause();
    }
  });
}
