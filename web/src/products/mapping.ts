import type { CategoryDocument, ProductDocument } from '@az-shop/common';
import type { CategoryView } from '../ui/data';
import type { Product } from './product';

/** A catalog product as the storefront shows it; the category is its partition key. */
export function toProduct(doc: ProductDocument): Product {
  const product: Product = {
    id: doc._id,
    category: doc.partition_key,
    heading: doc.heading,
    description: doc.description,
    price: { amount: doc.price.amount, currency: doc.price.currency },
    position: doc.position,
  };
  if (doc.imagePath) product.imagePath = doc.imagePath;
  return product;
}

export function toCategoryView(doc: CategoryDocument): CategoryView {
  const view: CategoryView = { id: doc._id, heading: doc.heading };
  if (doc.description) view.description = doc.description;
  return view;
}
