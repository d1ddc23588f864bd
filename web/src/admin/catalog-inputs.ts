import { type Static, Type } from 'typebox';
import type { FormatHints } from '../forms/validate';

/** Ids of categories and products: lower-case words joined by dashes (they appear in URLs). */
const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' });
const Heading = Type.String({ minLength: 1, maxLength: 120 });
const Description = Type.String({ maxLength: 5000 });
/** The version the edit was based on: a newer one in the database refuses it (409). */
const BasedOn = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });

export const CATALOG_HINTS: FormatHints = {
  id: 'Lower-case letters, digits and single dashes',
  categoryId: 'Lower-case letters, digits and single dashes',
  currency: 'Three capital letters, such as EUR',
};

export const CategoryInput = Type.Object(
  {
    heading: Heading,
    description: Type.Optional(Description),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);

export const NewCategory = Type.Object(
  { id: Slug, ...CategoryInput.properties },
  { additionalProperties: false },
);
export type NewCategory = Static<typeof NewCategory>;

export const CategoryEdit = Type.Object(
  { ...CategoryInput.properties, version: BasedOn },
  { additionalProperties: false },
);
export type CategoryEdit = Static<typeof CategoryEdit>;

const ProductFields = {
  heading: Heading,
  description: Description,
  /** Minor units (cents). */
  priceAmount: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', default: 'EUR' }),
  position: Type.Union([Type.Literal('hero'), Type.Literal('highlight'), Type.Literal('normal')], {
    default: 'normal',
  }),
};

/** A product's category is fixed at creation: it is the product's partition key (shard key). */
export const NewProduct = Type.Object(
  { id: Slug, categoryId: Slug, ...ProductFields },
  { additionalProperties: false },
);
export type NewProduct = Static<typeof NewProduct>;

export const ProductEdit = Type.Object(
  { ...ProductFields, version: BasedOn },
  { additionalProperties: false },
);
export type ProductEdit = Static<typeof ProductEdit>;

export const ArchiveInput = Type.Object({ version: BasedOn }, { additionalProperties: false });
export type ArchiveInput = Static<typeof ArchiveInput>;

export const CatalogIdParams = Type.Object({ id: Slug }, { additionalProperties: false });
