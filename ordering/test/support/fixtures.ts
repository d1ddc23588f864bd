import {
  FACTORY_OUTPUT,
  type FactoryOutputDocument,
  FULFILMENTS,
  type FulfilmentDocument,
  ORDER_CANCELLATIONS,
  ORDERS,
  type OrderDocument,
  PAYMENTS,
  type PaymentDocument,
  PRODUCTS,
  type ProcessorEvent,
  type ProductDocument,
  STOCK,
  STOCK_RECEIPTS,
  type StockDocument,
  type StockReceiptDocument,
  stockId,
} from '@az-shop/common';
import { eventually } from '@az-shop/common/testing';
import type { Db, Document } from 'mongodb';
import type { OrderingConfig } from '../../src/config';
import { receiptProblems } from '../../src/stock/receipts';

export { silentLogger, TestClock } from '@az-shop/common/testing';

export const testOrderingConfig: OrderingConfig = {
  PICKING_CAPACITY: 3,
  PICKING_SECONDS: 0.05,
  DELIVERY_SECONDS: 0.05,
  HOLD_MINUTES: 15,
  WAREHOUSE: 'main',
  ORDERING_TICK_MS: 20,
  // Polls as before: specs move the TestClock past deadlines and expect the next tick to see it.
  ORDERING_IDLE_MS: 20,
  STOCK_RETIRE_OUTPUTS: true,
};

export async function seedProducts(db: Db, ids: string[]): Promise<void> {
  const products: ProductDocument[] = ids.map((id) => ({
    _id: id,
    partition_key: 'cat1',
    kind: 'product',
    categoryId: 'cat1',
    heading: `Product ${id}`,
    description: '',
    price: { amount: 500, currency: 'EUR' },
    position: 'normal',
  }));
  await db.collection<ProductDocument>(PRODUCTS).insertMany(products);
}

export function order(
  id: string,
  lines: { productId: string; qty: number }[],
  extra: Partial<OrderDocument> = {},
) {
  const document: OrderDocument = {
    _id: id,
    partition_key: `user-${id}`,
    userId: `user-${id}`,
    lines: lines.map((line) => ({ ...line, unitPrice: 500 })),
    currency: 'EUR',
    total: lines.reduce((sum, line) => sum + line.qty * 500, 0),
    placedAt: new Date(),
    ...extra,
  };
  return document;
}

export function payment(
  orderDoc: OrderDocument,
  id = `pay-${orderDoc._id}`,
  amount = orderDoc.total,
): PaymentDocument {
  return {
    _id: id,
    partition_key: orderDoc.userId,
    orderId: orderDoc._id,
    userId: orderDoc.userId,
    provider: 'test',
    amount,
    currency: 'EUR',
    status: 'authorized',
    createdAt: new Date(),
  };
}

export function collections(db: Db) {
  return {
    orders: db.collection<OrderDocument>(ORDERS),
    payments: db.collection<PaymentDocument>(PAYMENTS),
    cancellations: db.collection(ORDER_CANCELLATIONS),
    outputs: db.collection<FactoryOutputDocument>(FACTORY_OUTPUT),
    fulfilments: db.collection<FulfilmentDocument>(FULFILMENTS),
    stock: db.collection<StockDocument>(STOCK),
    receipts: db.collection<StockReceiptDocument>(STOCK_RECEIPTS),
  };
}

/**
 * A fulfilment's stage, and a wait for one, on the database `db()` returns (suites set a fresh one per
 * test, so it is read at each call).
 */
export function fulfilmentStages(db: () => Db) {
  const stageOf = async (id: string) => (await collections(db()).fulfilments.findOne({ _id: id }))?.stage;
  const waitForStage = (id: string, stage: string) =>
    eventually(async () => (await stageOf(id)) === stage, { what: `${id} in ${stage}` });
  return { stageOf, waitForStage };
}

export function output(id: string, productId: string, qty: number): FactoryOutputDocument {
  return {
    _id: id,
    partition_key: productId,
    workItemId: `w-${id}`,
    productId,
    warehouse: 'main',
    qty,
    producedAt: new Date(),
  };
}

export async function stockOf(db: Db, productId: string): Promise<StockDocument | null> {
  return collections(db).stock.findOne({ _id: stockId('main', productId) });
}

/**
 * Stock balances exactly against the fulfilments, every output written (all delivered) and their
 * receipts: the invariants of docs/domain.md.
 */
export async function stockBalanceProblems(db: Db, productId: string): Promise<string[]> {
  const { outputs, fulfilments, receipts } = collections(db);
  const stock = await stockOf(db, productId);
  if (!stock) return [];
  const problems: string[] = [];
  const produced = (await outputs.find({ productId }).toArray()).reduce((sum, o) => sum + o.qty, 0);
  if (stock.onHand !== produced - stock.shipped)
    problems.push(`onHand ${stock.onHand} ≠ ${produced} − ${stock.shipped}`);
  problems.push(...receiptProblems(stock, await receipts.find({ productId }).toArray()));
  if (stock.available !== stock.onHand - stock.reserved || stock.available < 0)
    problems.push('available wrong');
  const live = await fulfilments
    .find({ stage: { $in: ['Placed', 'Reserved', 'Backordered', 'Picking'] }, 'lines.productId': productId })
    .toArray();
  const held = live
    .flatMap((f) => f.lines.filter((l) => l.productId === productId && l.held))
    .reduce((s, l) => s + l.qty, 0);
  if (stock.reserved !== held) problems.push(`reserved ${stock.reserved} ≠ held by live fulfilments ${held}`);
  const holders = stock.holds.map((h) => h.fulfilmentId);
  if (new Set(holders).size !== holders.length) problems.push('a fulfilment holds twice');
  const shippedQty = (
    await fulfilments
      .find({ stage: { $in: ['Shipped', 'Delivered'] }, 'lines.productId': productId })
      .toArray()
  )
    .flatMap((f) => f.lines.filter((l) => l.productId === productId))
    .reduce((sum, l) => sum + l.qty, 0);
  if (shippedQty !== stock.shipped)
    problems.push(`shipped ${stock.shipped} ≠ Σ shipped fulfilments ${shippedQty}`);
  return problems;
}

/** A document as the processor delivers its insert, for calling handlers directly. */
export function insertEvent(document: Document): ProcessorEvent {
  return {
    operationType: 'insert',
    documentKey: { _id: document._id },
    fullDocument: document,
    token: undefined,
    source: 'stream',
  };
}
