import {
  changeVersioned,
  isDuplicateKey,
  STOCK,
  type StockDocument,
  stockId,
  traceparentField,
  withTraceparent,
} from '@az-shop/common';
import { contentionPause } from '@az-shop/common/mongo/write-helpers';
import type { Collection, Db } from 'mongodb';
import { emptyStock } from './allocation';
import type { Stock, StockChange } from './types';

export interface StockStore {
  read(warehouse: string, productId: string): Promise<Stock>;
  /**
   * Applies a pure change (../stock/allocation) to the product's ledger with one conditional write on
   * `version`, retrying on contention: the whole ledger of a product changes atomically, no transaction.
   */
  change<R extends StockChange>(
    warehouse: string,
    productId: string,
    change: (stock: Stock) => R,
  ): Promise<R>;
  /**
   * `change` for a decision that must look elsewhere first (async `decide`, e.g. at an output's
   * receipt): the ledger is read, then `decide` runs, and its result is written only if the ledger is
   * unchanged since that read (else everything is read and decided again). What `decide` saw after the
   * read is therefore still true when the write lands, as far as the ledger's writers can tell.
   */
  changeAfter<R extends StockChange>(
    warehouse: string,
    productId: string,
    decide: (stock: Stock) => Promise<R>,
  ): Promise<R>;
  /**
   * `retireOutputs` in one atomic update: takes the ids off the in-flight set, bumping `version` like
   * every write of the ledger (a concurrent versioned write read before it then retries). Only when
   * one of them is there: otherwise nothing is written.
   */
  retireOutputs(warehouse: string, productId: string, outputIds: readonly string[]): Promise<void>;
  /**
   * The common case of `reserve` in one atomic conditional update: holds `qty` when nobody is queued,
   * `available ≥ qty` and the fulfilment holds nothing yet. False when it did not apply; the caller
   * then goes through `change(reserve)`, which decides the other cases.
   */
  tryHold(warehouse: string, productId: string, fulfilmentId: string, qty: number): Promise<boolean>;
}

function toStock(document: StockDocument): Stock {
  const { partition_key: _key, version: _version, ...stock } = document;
  return stock as Stock;
}

export function stockStore(db: Db, now: () => Date): StockStore {
  const collection: Collection<StockDocument> = db.collection<StockDocument>(STOCK);

  async function load(warehouse: string, productId: string): Promise<Stock> {
    const document = await collection.findOne({ _id: stockId(warehouse, productId) });
    return document ? toStock(document) : emptyStock(warehouse, productId);
  }

  return {
    async tryHold(warehouse, productId, fulfilmentId, qty) {
      const result = await collection.updateOne(
        {
          _id: stockId(warehouse, productId),
          available: { $gte: qty },
          waiting: { $size: 0 },
          'holds.fulfilmentId': { $ne: fulfilmentId },
        },
        {
          $inc: { available: -qty, reserved: qty, version: 1 },
          $push: { holds: { fulfilmentId, qty } },
          $set: { updatedAt: now(), ...traceparentField() },
        },
      );
      return result.modifiedCount === 1;
    },
    async read(warehouse, productId) {
      return load(warehouse, productId);
    },
    async changeAfter(warehouse, productId, decide) {
      const _id = stockId(warehouse, productId);
      for (let attempt = 1; ; attempt++) {
        const document = await collection.findOne({ _id });
        const result = await decide(document ? toStock(document) : emptyStock(warehouse, productId));
        if (!result.changed) return result;
        const next = { ...result.stock, partition_key: productId, updatedAt: now() };
        if (!document) {
          try {
            await collection.insertOne(withTraceparent({ ...next, version: 1 }));
            return result;
          } catch (error) {
            if (!isDuplicateKey(error)) throw error;
          }
        } else {
          const written = await collection.replaceOne(
            { _id, version: document.version },
            withTraceparent({ ...next, version: document.version + 1 }),
          );
          if (written.matchedCount === 1) return result;
        }
        await contentionPause(attempt);
      }
    },
    async retireOutputs(warehouse, productId, outputIds) {
      if (outputIds.length === 0) return;
      await collection.updateOne(
        { _id: stockId(warehouse, productId), appliedOutputs: { $in: [...outputIds] } },
        { $pullAll: { appliedOutputs: [...outputIds] }, $inc: { version: 1 }, $set: { updatedAt: now() } },
      );
    },
    change(warehouse, productId, change) {
      return changeVersioned(collection, stockId(warehouse, productId), (document) => {
        const result = change(document ? toStock(document) : emptyStock(warehouse, productId));
        if (!result.changed) return { result };
        return { result, next: { ...result.stock, partition_key: productId, updatedAt: now() } };
      });
    },
  };
}
