import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

const StockParams = Type.Object(
  { productId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);
const HistoryQuery = Type.Object(
  { hours: Type.Integer({ minimum: 1, maximum: 168, default: 24 }) },
  { additionalProperties: false },
);

/** Stock per product over all warehouses, and one product's available units over time. */
export default async function adminStockRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/stock', { schema: { querystring: Type.Object({}, { additionalProperties: false }) } }, async () =>
    app.adminStock.list(),
  );
  app.get(
    '/stock/:productId/history',
    { schema: { params: StockParams, querystring: HistoryQuery } },
    async (request) => app.adminStock.history(request.params.productId, request.query.hours),
  );
}
