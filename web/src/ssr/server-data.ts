import { randomUUID } from 'node:crypto';
import { Errors } from '@az-shop/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readAfter } from '../auth/last-write';
import { sessionCartId } from '../cart/session-cart';
import { toFieldErrors } from '../forms/field-errors';
import { problemsOf } from '../forms/validate';
import { signedIn } from '../plugins/app/auth';
import type { StorefrontData } from '../ui/data';
import { adminServerData } from './admin-data';

/**
 * Who is asking and the header's cart count: what every page's root loader reads, and all a shared
 * catalog page needs per response (without building the whole data source for it).
 */
export function visitorData(
  request: FastifyRequest,
  reply: FastifyReply,
): Pick<StorefrontData, 'session' | 'cartCount'> {
  return {
    session: async () => ({ user: request.user, csrfToken: reply.generateCsrf() }),
    cartCount: () => request.server.carts.count(sessionCartId(request), readAfter(request)),
  };
}

/**
 * The loaders' and actions' data source on the server: the same services the JSON API calls, with
 * the session for who is asking, so a form posted without JavaScript and a `fetch` to the API give
 * the same answers. The cart belongs to the user or to the session's anonymous `cartId`.
 */
export function serverData(request: FastifyRequest, reply: FastifyReply): StorefrontData {
  const { products, carts, orders, payments, stock } = request.server;
  const userId = () => signedIn(request).sub;

  return {
    ...visitorData(request, reply),
    listCategories: () => products.listCategories(),
    listProducts: (query) => products.list(query),
    getProduct: (id) => products.findById(id),
    getAvailability: async (productId) => {
      if (!(await products.findById(productId))) throw new Errors.NotFound('Product');
      return stock.of(productId);
    },
    getCart: () => carts.view(sessionCartId(request)),
    addToCart: (productId, qty) => carts.add(sessionCartId(request, true), productId, qty),
    setCartQuantity: (productId, qty) => carts.set(sessionCartId(request, true), productId, qty),

    async checkout(input) {
      try {
        const { orderId } = await orders.checkout(userId(), sessionCartId(request, true), input);
        return { ok: true, orderId };
      } catch (error) {
        const problems = problemsOf(error);
        if (!problems) throw error;
        return { ok: false, message: (error as Error).message, fieldErrors: toFieldErrors(problems) };
      }
    },

    async pay(orderId, input) {
      try {
        const { paymentId, redirectUrl } = await payments.start(userId(), orderId, input);
        return { ok: true, paymentId, redirectUrl };
      } catch (error) {
        const problems = problemsOf(error);
        if (!problems) throw error;
        return { ok: false, message: (error as Error).message, fieldErrors: toFieldErrors(problems) };
      }
    },

    listOrders: async () => orders.list(userId()),
    getOrder: async (orderId) => orders.view(userId(), orderId),
    requestCancellation: async (orderId) => orders.requestCancellation(userId(), orderId),
    newIdempotencyKey: () => randomUUID(),
    admin: adminServerData(request),
  };
}
