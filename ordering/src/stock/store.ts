import { changeVersioned, STOCK, type StockDocument, stockId } from '@az-shop/common';
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
          $set: { updatedAt: now() },
        },
      );
      return result.modifiedCount === 1;
    },
    async read(warehouse, productId) {
      return load(warehouse, productId);
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
