import { type Static, Type } from 'typebox';
import { DateTime, Id, Money, PartitionKey } from './shared';

export const PRODUCTS = 'products';

export const ProductPosition = Type.Union([
  Type.Literal('hero'),
  Type.Literal('highlight'),
  Type.Literal('normal'),
]);

/** A category of the catalog; `partition_key` is its own id. */
export const CategoryDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  kind: Type.Literal('category'),
  heading: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  position: Type.Optional(Type.Integer()),
});
export type CategoryDocument = Static<typeof CategoryDocument>;

/** A product of the catalog; `partition_key` is its category id. */
export const ProductDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  kind: Type.Literal('product'),
  categoryId: Id,
  heading: Type.String({ minLength: 1 }),
  description: Type.String(),
  price: Money,
  imagePath: Type.Optional(Type.String()),
  position: ProductPosition,
  updatedAt: Type.Optional(DateTime),
});
export type ProductDocument = Static<typeof ProductDocument>;

export const CatalogDocument = Type.Union([CategoryDocument, ProductDocument]);
export type CatalogDocument = Static<typeof CatalogDocument>;
