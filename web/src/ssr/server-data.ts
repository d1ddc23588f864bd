import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StorefrontData } from '../ui/data';

/** The loaders' data source on the server: repositories and the session, no HTTP round trip. */
export function serverData(request: FastifyRequest, reply: FastifyReply): StorefrontData {
  const { products } = request.server;
  return {
    session: async () => ({ user: request.user, csrfToken: reply.generateCsrf() }),
    listProducts: (query) => products.list(query),
    getProduct: (id) => products.findById(id),
  };
}
