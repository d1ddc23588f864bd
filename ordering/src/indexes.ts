import { FULFILMENTS } from '@az-shop/common';
import type { Db } from 'mongodb';

/**
 * Indexes the durable timers query by; created at start (idempotent). `stock_receipts` needs none: it
 * is only read by `_id`.
 */
export async function ensureOrderingIndexes(db: Db): Promise<void> {
  const fulfilments = db.collection(FULFILMENTS);
  await Promise.all([
    fulfilments.createIndex({ stage: 1, paid: 1, payBy: 1 }, { name: 'expiry' }),
    fulfilments.createIndex({ stage: 1, pickingEndsAt: 1 }, { name: 'picking' }),
    fulfilments.createIndex({ stage: 1, paid: 1, paidAt: 1 }, { name: 'ready_to_pick' }),
    fulfilments.createIndex({ stage: 1, deliverAt: 1 }, { name: 'delivery' }),
    fulfilments.createIndex({ stockPending: 1 }, { name: 'stock_pending', sparse: true }),
    // Web's back office reads the newest orders of each stage (the order board, docs/back-office.md).
    fulfilments.createIndex({ stage: 1, placedAt: -1 }, { name: 'board' }),
  ]);
}
