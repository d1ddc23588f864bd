import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { strictObject } from '../../admin/strict';

const StockParams = strictObject({
  productId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
});
const HistoryQuery = strictObject({ hours: Type.Integer({ minimum: 1, maximum: 168, default: 24 }) });

/** Stock per product over all warehouses, and one product's available units over time. */
export default async function adminStockRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/stock', { schema: { querystring: strictObject({}) } }, async () => app.adminStock.list());
  app.get(
    '/stock/:productId/history',
    { schema: { params: StockParams, querystring: HistoryQuery } },
    async (request) => app.adminStock.history(request.params.productId, request.query.hours),
  );
}
