import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../admin/actor';
import { OrderIdParam } from '../../orders/inputs';
import { signedIn } from '../../plugins/app/auth';
import adminStockRoutes from './stock';

const OrderParams = Type.Object({ id: OrderIdParam }, { additionalProperties: false });
const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * Operations: the order board (and its live stream), any user's order, and cancelling one as an admin. The
 * board's stream counts against the admin's live streams like the storefront's (429 past the cap).
 * Stock (./stock.ts) is registered from here too.
 */
export default async function adminOrderRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(adminStockRoutes);

  app.get('/orders/board', { schema: { querystring: NoQuery } }, async () => app.adminOrders.board());

  app.get(
    '/orders/events',
    { onRequest: app.liveStreamLimit, schema: { querystring: NoQuery } },
    async (_request, reply) => {
      await app.orderBoard.attach(app.live.open(reply));
      return reply;
    },
  );

  app.get('/orders/:id', { schema: { params: OrderParams, querystring: NoQuery } }, async (request) =>
    app.adminOrders.detail(request.params.id),
  );

  app.post('/orders/:id/cancel', { schema: { params: OrderParams } }, async (request, reply) => {
    const done = await app.adminOrders.cancel(actorOf(signedIn(request)), request.params.id);
    return reply.code(202).send(done);
  });
}
