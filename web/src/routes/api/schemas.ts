import { PaymentStatus } from '@az-shop/common/schemas';
import { type TSchema, Type } from 'typebox';

/**
 * Request and response schemas of the JSON API. Requests: `additionalProperties: false`, bounded
 * strings, so no `$`-operator object can reach a query. Responses are serialised through these
 * schemas, so a field a view does not declare never leaves the server.
 */

/** Catalog ids as the back office writes them. */
export const CatalogId = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:~-]*$',
});

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

export const ProductParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

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

export const CategoryViewSchema = Type.Object({
  id: Type.String(),
  heading: Type.String(),
  description: Type.Optional(Type.String()),
});

export const AvailabilityViewSchema = Type.Object({ productId: Type.String(), available: Type.Integer() });

export const CartViewSchema = Type.Object({
  lines: Type.Array(
    Type.Object({
      productId: Type.String(),
      heading: Type.String(),
      imagePath: Type.Optional(Type.String()),
      qty: Type.Integer(),
      unitPrice: Type.Integer(),
      lineTotal: Type.Integer(),
    }),
  ),
  count: Type.Integer(),
  total: Type.Integer(),
  currency: Type.String(),
});

export const AddLineBody = Type.Object(
  { productId: CatalogId, qty: Type.Integer({ minimum: 1, maximum: 1000 }) },
  { additionalProperties: false },
);

export const SetLineBody = Type.Object(
  { qty: Type.Integer({ minimum: 0, maximum: 1000 }) },
  { additionalProperties: false },
);

export const CartLineParams = Type.Object({ productId: CatalogId }, { additionalProperties: false });

export const OrderIdResponse = Type.Object({ orderId: Type.String() });

export const FulfilmentViewSchema = Type.Object({
  stage: Type.String(),
  paid: Type.Boolean(),
  payBy: Type.String(),
  history: Type.Array(
    Type.Object({ stage: Type.String(), at: Type.String(), note: Type.Optional(Type.String()) }),
  ),
  cancellable: Type.Boolean(),
  cancellationRefused: Type.Optional(Type.String()),
});

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const OrderSummarySchema = Type.Object({
  id: Type.String(),
  placedAt: Type.String(),
  total: Type.Integer(),
  currency: Type.String(),
  itemCount: Type.Integer(),
  stage: Type.String(),
  paid: Type.Boolean(),
});

export const OrderViewSchema = Type.Object({
  id: Type.String(),
  placedAt: Type.String(),
  payBy: Type.String(),
  lines: Type.Array(
    Type.Object({
      productId: Type.String(),
      heading: Type.String(),
      qty: Type.Integer(),
      unitPrice: Type.Integer(),
      lineTotal: Type.Integer(),
    }),
  ),
  total: Type.Integer(),
  currency: Type.String(),
  deliveryAddress: Type.Object({
    name: Type.String(),
    line1: Type.String(),
    line2: Type.Optional(Type.String()),
    city: Type.String(),
    postcode: Type.String(),
    country: Type.String(),
  }),
  fulfilment: Nullable(FulfilmentViewSchema),
  payments: Type.Array(
    Type.Object({
      id: Type.String(),
      status: PaymentStatus,
      at: Type.String(),
      last4: Type.Optional(Type.String()),
    }),
  ),
  paid: Type.Boolean(),
  cancellationRequested: Type.Boolean(),
});

/** A payment attempt started: the browser goes to the provider's page to pay. */
export const PaymentResponse = Type.Object({
  paymentId: Type.String(),
  redirectUrl: Type.String(),
});
