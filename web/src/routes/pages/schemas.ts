import { Type } from 'typebox';

/** Ids in page paths (a product, a category, an order): what the catalog and checkout ever make. */
const PathId = Type.String({ minLength: 1, maxLength: 100 });

/** Path parameters of every page; a path without parameters gets an empty object. */
export const PageParams = Type.Object(
  { id: Type.Optional(PathId), categoryId: Type.Optional(PathId) },
  { additionalProperties: false },
);

/**
 * Pages read `offset` and `added`; other parameters (campaign tags and the like) are allowed but
 * bounded, and never objects (`a[$gt]=` stays a plain string key).
 */
export const PageQuery = Type.Object(
  {
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    added: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: Type.String({ maxLength: 500 }), maxProperties: 20 },
);

/**
 * A urlencoded form as @fastify/formbody parses it: names to text (repeated names to lists). Each
 * page's action checks its own fields; this only bounds the shape.
 */
export const PageForm = Type.Record(
  Type.String({ maxLength: 64 }),
  Type.Union([
    Type.String({ maxLength: 2000 }),
    Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 10 }),
  ]),
  { maxProperties: 30 },
);
