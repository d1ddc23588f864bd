import { type CatalogDocument, type CategoryDocument, PRODUCTS, type ProductDocument } from '@az-shop/common';
import type { Collection, Db, Filter } from 'mongodb';
import type { CategoryView } from '../ui/data';
import { toCategoryView, toProduct } from './mapping';
import type { Product, ProductPage, ProductQuery } from './product';

/** Reads the catalog (written by the back office): products and categories share one collection. */
export interface ProductRepository {
  list(query: ProductQuery): Promise<ProductPage>;
  findById(id: string): Promise<Product | null>;
  /** The products among `ids` that exist, by id (for carts and checkout). */
  findByIds(ids: readonly string[]): Promise<Map<string, Product>>;
  listCategories(): Promise<CategoryView[]>;
}

export function mongoProductRepository(db: Db): ProductRepository {
  const catalog = db.collection<CatalogDocument>(PRODUCTS);
  // The kind filter narrows the union; the driver cannot infer that, so the views are typed here.
  const products = catalog as unknown as Collection<ProductDocument>;
  const categories = catalog as unknown as Collection<CategoryDocument>;
  // Archived products are off the storefront: not listed, not shown, not sold (orders keep their lines).
  const onlyProducts: Filter<ProductDocument> = { kind: 'product', archivedAt: { $exists: false } };

  return {
    async list({ limit, offset, category }) {
      const filter: Filter<ProductDocument> = {
        ...onlyProducts,
        ...(category && { partition_key: category }),
      };
      const [docs, total] = await Promise.all([
        // 'hero' < 'highlight' < 'normal': sorting by position puts the featured products first.
        products.find(filter).sort({ position: 1, heading: 1, _id: 1 }).skip(offset).limit(limit).toArray(),
        products.countDocuments(filter),
      ]);
      return { items: docs.map(toProduct), total };
    },
    async findById(id) {
      const doc = await products.findOne({ ...onlyProducts, _id: id });
      return doc ? toProduct(doc) : null;
    },
    async findByIds(ids) {
      if (ids.length === 0) return new Map();
      const docs = await products.find({ ...onlyProducts, _id: { $in: [...ids] } }).toArray();
      return new Map(docs.map((doc) => [doc._id, toProduct(doc)]));
    },
    async listCategories() {
      const docs = await categories
        .find({ kind: 'category', archivedAt: { $exists: false } })
        .sort({ position: 1, heading: 1, _id: 1 })
        .toArray();
      return docs.map(toCategoryView);
    },
  };
}
