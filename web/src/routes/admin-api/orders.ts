import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../admin/actor';
import { orderTraceSvg } from '../../admin/order-trace';
import { strictObject } from '../../admin/strict';
import { OrderIdParam } from '../../orders/inputs';
import { signedIn } from '../../plugins/app/auth';
import adminStockRoutes from './stock';

const OrderParams = strictObject({ id: OrderIdParam });
const NoQuery = strictObject({});
/** Why the admin cancels, kept on the cancellation request (the body may be left out). */
const CancelBody = strictObject({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) });

/**
 * The order board (and its live stream), any user's order, and cancelling one as an admin. The
 * board's stream counts against BOARD_STREAMS_PER_ADMIN, apart from the storefront's (429 past the cap).
 * Stock (./stock.ts) is registered from here too.
 */
export default async function adminOrderRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(adminStockRoutes);

  app.get('/orders/board', { schema: { querystring: NoQuery } }, async () => app.orderBoard.latest());

  app.get(
    '/orders/events',
    { onRequest: app.boardStreamLimit, schema: { querystring: NoQuery } },
    async (_request, reply) => {
      await app.orderBoard.follow(app.live.open(reply));
      return reply;
    },
  );

  app.get('/orders/:id', { schema: { params: OrderParams, querystring: NoQuery } }, async (request) =>
    app.adminOrders.detail(request.params.id),
  );

  // The order's trace as a waterfall picture, from the local span store (docs/observability.md).
  app.get(
    '/orders/:id/trace.svg',
    { schema: { params: OrderParams, querystring: NoQuery } },
    async (request, reply) => {
      const svg = await orderTraceSvg(app.db, request.params.id);
      if (!svg) throw new Errors.NotFound('Trace of this order');
      return reply.type('image/svg+xml; charset=utf-8').send(svg);
    },
  );

  app.post(
    '/orders/:id/cancel',
    {
      schema: { params: OrderParams, body: CancelBody },
      // Checked in the handler, so the CSRF check (a preHandler) answers first.
      attachValidation: true,
      // No body at all is a cancellation without a reason: checked as `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      if (request.validationError) throw request.validationError;
      const { reason } = request.body;
      const done = await app.adminOrders.cancel(actorOf(signedIn(request)), request.params.id, reason);
      return reply.code(202).send(done);
    },
  );
}
