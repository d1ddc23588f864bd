import { expect, test } from '@playwright/test';
import { MongoClient } from 'mongodb';
import { readE2eEnv } from './stack';

const env = readE2eEnv();

/**
 * The services under pm2 react to each other only through change streams: these documents are
 * what web writes at checkout and in the back office, and everything after them is factory and
 * ordering at work.
 */
test('production, orders, payment and backorders flow through factory and ordering to Delivered', async () => {
  const client = await MongoClient.connect(env.MONGO_DB!);
  const db = client.db();
  try {
    const productId = `e2e-${Date.now()}`;
    await db.collection('products').insertOne({
      _id: productId as never,
      partition_key: 'e2e',
      kind: 'product',
      categoryId: 'e2e',
      heading: 'End-to-end widget',
      description: '',
      price: { amount: 1250, currency: 'EUR' },
      position: 'normal',
    });
    await db.collection('production_requests').insertOne({
      _id: `req-${productId}` as never,
      partition_key: productId,
      productId,
      warehouse: 'main',
      qty: 2,
      requestedAt: new Date(),
    });
    const stock = () => db.collection('stock').findOne({ productId });
    await expect.poll(async () => (await stock())?.available, { timeout: 20_000 }).toBe(2);

    // Two orders: the first fits the stock, the second is short and asks the factory itself.
    const order = (id: string, qty: number) => ({
      _id: id as never,
      partition_key: `user-${id}`,
      userId: `user-${id}`,
      lines: [{ productId, qty, unitPrice: 1250 }],
      currency: 'EUR',
      total: qty * 1250,
      placedAt: new Date(),
    });
    const first = order(`o1-${productId}`, 2);
    const second = order(`o2-${productId}`, 3);
    await db.collection('orders').insertMany([first, second]);
    for (const placed of [first, second]) {
      await db.collection('payments').insertOne({
        _id: `pay-${placed._id}` as never,
        partition_key: placed.userId,
        orderId: placed._id,
        userId: placed.userId,
        provider: 'e2e',
        amount: placed.total,
        currency: 'EUR',
        status: 'authorized',
        createdAt: new Date(),
      });
    }

    const stageOf = async (orderId: string) =>
      (await db.collection('fulfilments').findOne({ orderId }))?.stage;
    await expect.poll(() => stageOf(first._id), { timeout: 30_000 }).toBe('Delivered');
    await expect.poll(() => stageOf(second._id), { timeout: 30_000 }).toBe('Delivered');

    // The backorder made the factory build the shortfall; every unit is accounted for.
    expect(await db.collection('work_items').countDocuments({ productId })).toBeGreaterThanOrEqual(2);
    const final = await stock();
    const produced = (await db.collection('factory_output').find({ productId }).toArray()).reduce(
      (sum, output) => sum + output.qty,
      0,
    );
    expect(final).toMatchObject({ reserved: 0, shipped: 5 });
    expect(final?.onHand).toBe(produced - 5);

    // The stack runs traced (TRACE_STORE=mongo from .env_local.example): the built services, started
    // by pm2 with `--import dist/telemetry.js`, stored their handlers' spans under their own names.
    const handlerSpans = (service: string, name: string) =>
      db.collection('trace_spans').countDocuments({ service, name });
    await expect.poll(() => handlerSpans('ordering', 'ordering.onOrderPlaced process')).toBeGreaterThan(0);
    await expect
      .poll(() => handlerSpans('factory', 'factory.onFulfilmentChanged process'))
      .toBeGreaterThan(0);
  } finally {
    await client.close();
  }
});
