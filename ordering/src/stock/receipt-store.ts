import {
  isDuplicateKey,
  STOCK_RECEIPT_STATE,
  STOCK_RECEIPTS,
  type StockReceiptDocument,
  type StockReceiptState,
} from '@az-shop/common';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { type OutputReceived, pendingReceipt } from './receipts';

/** The `stock_receipts` collection (owned by ordering): one receipt per factory output received. */
export interface ReceiptStore {
  /** Inserts the output's receipt as pending; when it is there already, its state. */
  open(output: OutputReceived): Promise<StockReceiptState>;
  /**
   * Marks the receipts applied (they were counted in their ledger), creating any that is missing as
   * applied: an id on a ledger from before receipts existed. Idempotent; `appliedAt` keeps the first.
   */
  markApplied(outputs: readonly OutputReceived[]): Promise<void>;
}

export function receiptStore(db: Db, now: () => Date): ReceiptStore {
  const collection: Collection<StockReceiptDocument> = db.collection<StockReceiptDocument>(STOCK_RECEIPTS);

  async function markApplied(outputs: readonly OutputReceived[]): Promise<void> {
    if (outputs.length === 0) return;
    const at = now();
    const operations: AnyBulkWriteOperation<StockReceiptDocument>[] = outputs.map((output) => {
      const { _id, partition_key, state: _state, ...created } = pendingReceipt(output, at);
      return {
        updateOne: {
          filter: { _id, partition_key },
          update: {
            $set: { state: STOCK_RECEIPT_STATE.Applied },
            $min: { appliedAt: at },
            $setOnInsert: created,
          },
          upsert: true,
        },
      };
    });
    try {
      await collection.bulkWrite(operations, { ordered: false });
    } catch (error) {
      // Two upserts of the same missing receipt at once: one inserted it, the other's update now finds it.
      if (!isDuplicateKey(error)) throw error;
      await collection.bulkWrite(operations, { ordered: false });
    }
  }

  return {
    async open(output) {
      try {
        await collection.insertOne(pendingReceipt(output, now()));
        return STOCK_RECEIPT_STATE.Pending;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const existing = await collection.findOne(
        { _id: output.outputId, partition_key: output.productId },
        { projection: { state: 1 } },
      );
      if (!existing) throw new Error(`receipt ${output.outputId} is a duplicate key but was not found`);
      return existing.state;
    },
    markApplied,
  };
}
