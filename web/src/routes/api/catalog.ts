import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { followChanges } from '../../live/follow';
import {
  AvailabilityViewSchema,
  CategoryViewSchema,
  ProductListQuery,
  ProductListResponse,
  ProductParams,
  ProductSchema,
  SessionResponse,
} from './schemas';

/** The visitor's session, the catalog and product availability (live). Nothing here writes. */
export default async function catalogRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/session', { schema: { response: { 200: SessionResponse } } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return { user: request.user, csrfToken: reply.generateCsrf() };
  });

  app.get('/categories', { schema: { response: { 200: Type.Array(CategoryViewSchema) } } }, async () =>
    app.products.listCategories(),
  );

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

  app.get(
    '/products/:id/availability',
    { schema: { params: ProductParams, response: { 200: AvailabilityViewSchema } } },
    async (request, reply) => {
      const product = await app.products.findById(request.params.id);
      if (!product) throw new Errors.NotFound('Product');
      reply.header('cache-control', 'no-store');
      return app.stock.of(product.id);
    },
  );

  app.get(
    '/products/:id/availability/events',
    { onRequest: app.liveStreamLimit, schema: { params: ProductParams } },
    async (request, reply) => {
      const product = await app.products.findById(request.params.id);
      if (!product) throw new Errors.NotFound('Product');
      const stream = app.live.open(reply);
      await followChanges({
        stream,
        hub: app.live.stock,
        key: product.id,
        event: 'availability',
        read: () => app.stock.of(product.id),
        log: request.log,
      });
      return reply;
    },
  );
}
