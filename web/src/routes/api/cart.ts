import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { sessionCartId } from '../../cart/session-cart';
import { AddLineBody, CartLineParams, CartViewSchema, SetLineBody } from './schemas';

/** The visitor's cart; works signed out (the first write gives the session an anonymous cart). */
export default async function cartRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const answer = { 200: CartViewSchema };

  app.get('/cart', { schema: { response: answer } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return app.carts.view(sessionCartId(request));
  });

  app.post(
    '/cart/lines',
    {
      onRequest: app.cartRateLimit,
      preHandler: app.csrfProtection,
      schema: { body: AddLineBody, response: answer },
    },
    async (request) => app.carts.add(sessionCartId(request, true), request.body.productId, request.body.qty),
  );

  app.put(
    '/cart/lines/:productId',
    {
      onRequest: app.cartRateLimit,
      preHandler: app.csrfProtection,
      schema: { params: CartLineParams, body: SetLineBody, response: answer },
    },
    async (request) =>
      app.carts.set(sessionCartId(request, true), request.params.productId, request.body.qty),
  );

  app.delete(
    '/cart/lines/:productId',
    {
      onRequest: app.cartRateLimit,
      preHandler: app.csrfProtection,
      schema: { params: CartLineParams, response: answer },
    },
    async (request) => app.carts.remove(sessionCartId(request, true), request.params.productId),
  );
}
