import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  RouteShorthandOptions,
} from 'fastify';
import { type PageRendererOptions, pageRenderer } from '../../ssr/render-page';
import { FORM_PATHS, PAGE_PATHS } from '../../ui/routes';
import { pageErrorHandler } from './error-page';
import { PageForm, PageParams, PageQuery } from './schemas';

/**
 * Server-rendered storefront pages. Each path of the shared route tree gets a GET route; each page
 * with a form also takes its POST, so the forms work without JavaScript: the CSRF token is checked
 * (`_csrf` in the urlencoded body), then the route's action runs on the server.
 */
export default async function pageRoutes(app: FastifyInstance, options: PageRendererOptions) {
  const renderPage = pageRenderer({
    ...options,
    catalogChanges: app.catalogChanges,
    personalPages: app.personalPages,
  });
  const render = async (request: FastifyRequest, reply: FastifyReply) => {
    await renderPage(request, reply);
    return reply;
  };
  app.setErrorHandler(pageErrorHandler);
  const schema = { params: PageParams, querystring: PageQuery };
  for (const path of PAGE_PATHS) app.get(path, { schema }, render);
  // Each form shares its limit with the API route doing the same (adding to the cart, paying…).
  const formLimits: Record<(typeof FORM_PATHS)[number], onRequestAsyncHookHandler> = {
    '/products/:id': app.cartRateLimit,
    '/cart': app.cartRateLimit,
    '/checkout': app.checkoutRateLimit,
    '/orders/:id': app.cancelRateLimit,
    '/orders/:id/pay': app.paymentRateLimit,
  };
  for (const path of FORM_PATHS) {
    const options: RouteShorthandOptions = {
      schema: { ...schema, body: PageForm },
      onRequest: formLimits[path],
      preHandler: app.csrfProtection,
    };
    app.post(path, options, render);
  }
}
