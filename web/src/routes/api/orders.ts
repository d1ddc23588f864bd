import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { sessionCartId } from '../../cart/session-cart';
import { followChanges } from '../../live/follow';
import { CheckoutBody, OrderIdParam } from '../../orders/inputs';
import { PaymentBody } from '../../payments/inputs';
import { signedIn } from '../../plugins/app/auth';
import { OrderIdResponse, OrderSummarySchema, OrderViewSchema, PaymentResponse } from './schemas';

const OrderParams = Type.Object({ id: OrderIdParam }, { additionalProperties: false });

/**
 * Checkout, the user's orders (live), payments and cancellation. All need a signed-in user (401);
 * another user's order is answered as missing (404). Checkout and payments validate their bodies in
 * the services (`attachValidation`), with the same schema and messages as the no-JavaScript forms.
 */
export default async function orderRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/checkout',
    {
      onRequest: [app.checkoutRateLimit, app.requireUser],
      preHandler: app.csrfProtection,
      attachValidation: true,
      schema: { body: CheckoutBody, response: { 200: OrderIdResponse, 201: OrderIdResponse } },
    },
    async (request, reply) => {
      const user = signedIn(request);
      const { orderId, created } = await app.orders.checkout(
        user.sub,
        sessionCartId(request, true),
        request.body,
      );
      return reply.code(created ? 201 : 200).send({ orderId });
    },
  );

  app.get(
    '/orders',
    { onRequest: app.requireUser, schema: { response: { 200: Type.Array(OrderSummarySchema) } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return app.orders.list(signedIn(request).sub);
    },
  );

  app.get(
    '/orders/:id',
    { onRequest: app.requireUser, schema: { params: OrderParams, response: { 200: OrderViewSchema } } },
    async (request, reply) => {
      const order = await app.orders.view(signedIn(request).sub, request.params.id);
      if (!order) throw new Errors.NotFound('Order');
      reply.header('cache-control', 'no-store');
      return order;
    },
  );

  app.get(
    '/orders/:id/events',
    { onRequest: [app.requireUser, app.liveStreamLimit], schema: { params: OrderParams } },
    async (request, reply) => {
      const orderId = request.params.id;
      if (!(await app.orders.find(signedIn(request).sub, orderId))) throw new Errors.NotFound('Order');
      await followChanges({
        stream: app.live.open(reply),
        hub: app.live.fulfilments,
        key: orderId,
        event: 'fulfilment',
        read: () => app.orders.fulfilment(orderId),
        log: request.log,
      });
      return reply;
    },
  );

  app.post(
    '/orders/:id/payments',
    {
      onRequest: [app.paymentRateLimit, app.requireUser],
      preHandler: app.csrfProtection,
      attachValidation: true,
      schema: {
        params: OrderParams,
        body: PaymentBody,
        response: { 200: PaymentResponse, 201: PaymentResponse },
      },
    },
    async (request, reply) => {
      const started = await app.payments.start(signedIn(request).sub, request.params.id, request.body);
      return reply
        .code(started.created ? 201 : 200)
        .send({ paymentId: started.paymentId, redirectUrl: started.redirectUrl });
    },
  );

  app.post(
    '/orders/:id/cancellation',
    {
      onRequest: [app.cancelRateLimit, app.requireUser],
      preHandler: app.csrfProtection,
      schema: { params: OrderParams },
    },
    async (request, reply) => {
      await app.orders.requestCancellation(signedIn(request).sub, request.params.id);
      return reply.code(202).send();
    },
  );
}
