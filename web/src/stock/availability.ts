import { STOCK, type StockDocument } from '@az-shop/common';
import type { Db } from 'mongodb';
import type { AvailabilityView } from '../ui/data';

/** Units that can be ordered now: Σ `available` over the warehouses' stock documents of a product. */
export interface StockAvailability {
  of(productId: string): Promise<AvailabilityView>;
}

export function sumAvailable(docs: readonly Pick<StockDocument, 'available'>[]): number {
  return docs.reduce((sum, doc) => sum + Math.max(0, doc.available), 0);
}

export function stockAvailability(db: Db): StockAvailability {
  const stock = db.collection<StockDocument>(STOCK);
  return {
    async of(productId) {
      // partition_key is the product id: one partition holds every warehouse's document.
      const docs = await stock.find({ partition_key: productId }, { projection: { available: 1 } }).toArray();
      return { productId, available: sumAvailable(docs) };
    },
  };
}
