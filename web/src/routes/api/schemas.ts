import { Type } from 'typebox';

export const ProductSchema = Type.Object({
  id: Type.String(),
  category: Type.String(),
  heading: Type.String(),
  description: Type.String(),
  price: Type.Object({ amount: Type.Integer(), currency: Type.String() }),
  imagePath: Type.Optional(Type.String()),
  position: Type.String(),
});

export const ProductListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 24 }),
    offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const ProductListResponse = Type.Object({
  items: Type.Array(ProductSchema),
  total: Type.Integer({ minimum: 0 }),
});

export const ProductParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const SessionResponse = Type.Object({
  user: Type.Union([
    Type.Null(),
    Type.Object({
      sub: Type.String(),
      name: Type.String(),
      email: Type.Optional(Type.String()),
      roles: Type.Array(Type.String()),
    }),
  ]),
  csrfToken: Type.String(),
});
