import {
  Errors,
  PRODUCTS,
  STOCK,
  type StockDocument,
  ttlUntil,
  WORK_ITEMS,
  type WorkItemDocument,
} from '@az-shop/common';
import type { Collection, Db } from 'mongodb';
import {
  bucketStart,
  FINISHED_WORK_STAGES,
  historyPoints,
  type StockPoint,
  type StockRow,
  stockRows,
} from './stock';

/**
 * Web's own record of available units over time (ordering's ledger keeps only the present): one
 * document per product and sampling bucket, written by whichever web instance samples first.
 */
export const STOCK_SAMPLES = 'stock_samples';

/** Samples are kept this long (the history route reads at most a week back). */
export const SAMPLE_KEEP_SECONDS = 8 * 24 * 3600;

interface CatalogEntry {
  _id: string;
  kind: string;
  heading: string;
}

interface StockSample {
  /** `<productId>:<bucket start, ISO>`: one per product and bucket, whichever instance writes it. */
  _id: string;
  partition_key: string;
  productId: string;
  at: Date;
  available: number;
  onHand: number;
  held: number;
  /** Seconds from the last write to `at` + SAMPLE_KEEP_SECONDS (Cosmos DB's TTL, common/src/mongo/expiry.ts). */
  ttl: number;
}

export interface AdminStock {
  list(): Promise<StockRow[]>;
  /** Available units over the last `hours`; 404 for a product neither the catalog nor a ledger knows. */
  history(productId: string, hours: number): Promise<{ productId: string; points: StockPoint[] }>;
  /** Writes this bucket's sample of every product (a no-op for products already sampled in it). */
  sample(): Promise<void>;
}

export function adminStock(db: Db, sampleMs: number, now = () => new Date()): AdminStock {
  const stock = db.collection<StockDocument>(STOCK);
  const samples: Collection<StockSample> = db.collection<StockSample>(STOCK_SAMPLES);
  const products = db.collection<CatalogEntry>(PRODUCTS);

  async function rows(): Promise<StockRow[]> {
    const [catalog, ledgers, building] = await Promise.all([
      products.find({ kind: 'product' }, { projection: { heading: 1 } }).toArray(),
      stock
        .find({}, { projection: { productId: 1, onHand: 1, reserved: 1, available: 1, waiting: 1 } })
        .toArray(),
      // Read-only: factory owns work_items.
      db
        .collection<WorkItemDocument>(WORK_ITEMS)
        .find(
          { stage: { $nin: [...FINISHED_WORK_STAGES] } },
          { projection: { productId: 1, qty: 1, stage: 1 } },
        )
        .toArray(),
    ]);
    return stockRows({
      headings: new Map(catalog.map((product) => [product._id, product.heading])),
      ledgers,
      workItems: building,
    });
  }

  return {
    list: rows,

    async history(productId, hours) {
      const at = now();
      const [ledgers, known] = await Promise.all([
        stock.find({ partition_key: productId }, { projection: { available: 1 } }).toArray(),
        products.countDocuments({ _id: productId, kind: 'product' }, { limit: 1 }),
      ]);
      if (ledgers.length === 0 && known === 0) throw new Errors.NotFound('Product');
      const found = await samples
        .find({ productId, at: { $gte: new Date(at.getTime() - hours * 3_600_000) } })
        .sort({ at: 1 })
        .toArray();
      const current = ledgers.reduce((sum, ledger) => sum + Math.max(0, ledger.available), 0);
      return { productId, points: historyPoints(found, current, at, hours) };
    },

    async sample() {
      const written = now();
      const at = bucketStart(written, sampleMs);
      // A sample goes SAMPLE_KEEP_SECONDS after its bucket; each write (also a later instance's) says so afresh.
      const ttl = ttlUntil(new Date(at.getTime() + SAMPLE_KEEP_SECONDS * 1000), written);
      const all = await rows();
      if (all.length === 0) return;
      await samples.bulkWrite(
        all.map((row) => {
          const _id = `${row.productId}:${at.toISOString()}`;
          return {
            updateOne: {
              filter: { _id },
              update: {
                $setOnInsert: {
                  _id,
                  partition_key: row.productId,
                  productId: row.productId,
                  at,
                  available: row.available,
                  onHand: row.onHand,
                  held: row.held,
                },
                $set: { ttl },
              },
              upsert: true,
            },
          };
        }),
        { ordered: false },
      );
    },
  };
}
