import type { Db, Filter } from 'mongodb';
import type { Product, ProductPage, ProductQuery } from './product';

/**
 * Reads the catalog. Documents are read loosely (see common/src/schemas/products.ts for the shape
 * being settled): unknown fields are ignored and missing ones get safe values, so a half-seeded
 * catalog still renders.
 */
export interface ProductRepository {
  list(query: ProductQuery): Promise<ProductPage>;
  findById(id: string): Promise<Product | null>;
}

export const PRODUCTS_COLLECTION = 'products';

interface ProductDocument {
  _id: string;
  [field: string]: unknown;
}

/** Categories share the collection; they have `kind: 'category'`. */
const ONLY_PRODUCTS: Filter<ProductDocument> = { kind: 'product' };

function toProduct(doc: ProductDocument): Product {
  const price = (doc.price ?? {}) as { amount?: unknown; currency?: unknown };
  const product: Product = {
    id: String(doc._id),
    category: String(doc.partition_key ?? doc.categoryId ?? ''),
    heading: String(doc.heading ?? ''),
    description: String(doc.description ?? ''),
    price: { amount: Number(price.amount ?? 0), currency: String(price.currency ?? 'EUR') },
    position: String(doc.position ?? 'normal'),
  };
  if (typeof doc.imagePath === 'string') product.imagePath = doc.imagePath;
  return product;
}

export function mongoProductRepository(db: Db): ProductRepository {
  const products = db.collection<ProductDocument>(PRODUCTS_COLLECTION);
  return {
    async list({ limit, offset, category }) {
      const filter: Filter<ProductDocument> = {
        ...ONLY_PRODUCTS,
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
      const doc = await products.findOne({ ...ONLY_PRODUCTS, _id: id });
      return doc ? toProduct(doc) : null;
    },
  };
}
