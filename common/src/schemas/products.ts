import { type Static, Type } from 'typebox';
import { DateTime, Id, Money, PartitionKey } from './shared';

export const PRODUCTS = 'products';

export const ProductPosition = Type.Union([
  Type.Literal('hero'),
  Type.Literal('highlight'),
  Type.Literal('normal'),
]);

/** Who changed a catalog document last, written with the change itself (the audit log copies it). */
export const CatalogChange = Type.Object({
  action: Type.String({ minLength: 1 }),
  sub: Type.String({ minLength: 1 }),
  email: Type.Optional(Type.String()),
  at: DateTime,
});
export type CatalogChange = Static<typeof CatalogChange>;

/**
 * Fields the back office keeps on every catalog document: `version` counts changes (an edit names
 * the version it was based on, so a stale copy is refused, never saved over a newer one; documents
 * seeded before the back office have none, which counts as 0); `archivedAt` takes it off the
 * storefront while orders keep their lines.
 */
const backOfficeFields = {
  version: Type.Optional(Type.Integer({ minimum: 0 })),
  archivedAt: Type.Optional(DateTime),
  lastChange: Type.Optional(CatalogChange),
};

/** A category of the catalog; `partition_key` is its own id. */
export const CategoryDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  kind: Type.Literal('category'),
  heading: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  position: Type.Optional(Type.Integer()),
  ...backOfficeFields,
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
  ...backOfficeFields,
});
export type ProductDocument = Static<typeof ProductDocument>;

export const CatalogDocument = Type.Union([CategoryDocument, ProductDocument]);
export type CatalogDocument = Static<typeof CatalogDocument>;
