import { FULFILMENTS } from '@az-shop/common';
import {
  intercepted,
  startTestMongo,
  type TestMongo,
  throttledCount,
  throttledRefusal,
} from '@az-shop/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fulfilmentHandlers } from '../src/fulfilment/handlers';
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
 * The stock ledger's outbox (`toNotify`, docs/domain.md "The stock ledger"): units the queue gave to
 * fulfilments, told to them afterwards. Whoever runs into an outbox empties it, a repeat after a crash
 * included, and a long one gets through Cosmos DB throttling in one run.
 */

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.stop();
});

async function setUp() {
  const db = mongo.freshDb();
  await seedProducts(db, ['p1']);
  const deps = { db, logger: silentLogger, config: testOrderingConfig, clock: new TestClock() };
  return { db, deps, handlers: fulfilmentHandlers(deps), c: collections(db) };
}

describe('an order whose placement dies between its steps, repeated: told of every unit the queue gave it', () => {
  const deaths = [
    { when: 'before writing its fulfilment', wrote: false },
    { when: 'after writing its fulfilment, before telling it', wrote: true },
  ];

  it.each(deaths)('dies $when', async ({ wrote }) => {
    const { db, deps, handlers, c } = await setUp();
    const o = output('out1', 'p1', 3);
    await c.outputs.insertOne(o);
    const placed = order('o1', [{ productId: 'p1', qty: 2 }]);
    // The placement queues o1 (no stock yet); the output arrives before the fulfilment is written, so
    // the queue gives o1 its units and the notice waits in the outbox; then the process dies.
    const dying = fulfilmentHandlers({
      ...deps,
      db: intercepted(db, FULFILMENTS, ['insertOne'], async (insert) => {
        await handlers.onFactoryOutput(insertEvent(o));
        if (wrote) await insert();
        throw new Error('killed');
      }),
    });
    await expect(dying.onOrderPlaced(insertEvent(placed))).rejects.toThrow('killed');
    expect(await stockOf(db, 'p1')).toMatchObject({
      holds: [{ fulfilmentId: 'o1', qty: 2 }],
      toNotify: ['o1'],
    });
    expect((await c.fulfilments.findOne({ _id: 'o1' }))?.stage).toBe(wrote ? 'Backordered' : undefined);

    // The order's event is delivered again.
    await handlers.onOrderPlaced(insertEvent(placed));
    expect(await c.fulfilments.findOne({ _id: 'o1' })).toMatchObject({
      stage: 'Reserved',
      lines: [{ productId: 'p1', qty: 2, held: true }],
    });
    expect(await stockOf(db, 'p1')).toMatchObject({
      onHand: 3,
      reserved: 2,
      available: 1,
      holds: [{ fulfilmentId: 'o1', qty: 2 }],
      waiting: [],
      toNotify: [],
    });
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });
});

describe('the outbox flush under Cosmos DB throttling (16500)', () => {
  it('a long outbox gets through in one run: each refused command is tried again in place, and counted', async () => {
    const { db, deps, handlers, c } = await setUp();
    const backorders = Array.from({ length: 30 }, (_, i) => order(`o${i}`, [{ productId: 'p1', qty: 1 }]));
    for (const backorder of backorders) await handlers.onOrderPlaced(insertEvent(backorder));
    expect(await c.fulfilments.countDocuments({ stage: 'Backordered' })).toBe(30);
    const o = output('out1', 'p1', 30);
    await c.outputs.insertOne(o);

    // Every fifth command on the fulfilments is refused. Started over at each refusal, the flush
    // (two commands per fulfilment told) would never get through one run.
    let commands = 0;
    const throttling = fulfilmentHandlers({
      ...deps,
      db: intercepted(db, FULFILMENTS, ['findOne', 'replaceOne'], async (command) => {
        commands += 1;
        if (commands % 5 === 0) throw throttledRefusal();
        return command();
      }),
    });
    const before = await throttledCount('ordering.stock-sync');
    await throttling.onFactoryOutput(insertEvent(o));

    expect(await c.fulfilments.countDocuments({ stage: 'Reserved' })).toBe(30);
    expect(await stockOf(db, 'p1')).toMatchObject({ reserved: 30, available: 0, waiting: [], toNotify: [] });
    expect(commands).toBeGreaterThanOrEqual(60);
    expect((await throttledCount('ordering.stock-sync')) - before).toBe(Math.floor(commands / 5));
    expect(await stockBalanceProblems(db, 'p1')).toEqual([]);
  });
});
