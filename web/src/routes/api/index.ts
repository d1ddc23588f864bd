import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  ProductListQuery,
  ProductListResponse,
  ProductParams,
  ProductSchema,
  SessionResponse,
} from './schemas';

/** JSON API under /api: what the browser's loaders call after the first, server-rendered page. */
export default async function apiRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/products',
    { schema: { querystring: ProductListQuery, response: { 200: ProductListResponse } } },
    async (request) => app.products.list(request.query),
  );

  app.get(
    '/products/:id',
    { schema: { params: ProductParams, response: { 200: ProductSchema } } },
    async (request) => {
      const product = await app.products.findById(request.params.id);
      if (!product) throw new Errors.NotFound('Product');
      return product;
    },
  );

  app.get('/session', { schema: { response: { 200: SessionResponse } } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return { user: request.user, csrfToken: reply.generateCsrf() };
  });
}
