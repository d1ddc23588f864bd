import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
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
  const renderPage = pageRenderer({ ...options, catalogChanges: app.catalogChanges });
  const render = async (request: FastifyRequest, reply: FastifyReply) => {
    await renderPage(request, reply);
    return reply;
  };
  app.setErrorHandler(pageErrorHandler);
  const schema = { params: PageParams, querystring: PageQuery };
  for (const path of PAGE_PATHS) app.get(path, { schema }, render);
  for (const path of FORM_PATHS) {
    const options: RouteShorthandOptions = {
      schema: { ...schema, body: PageForm },
      preHandler: app.csrfProtection,
    };
    // Placing orders shares its limit with POST /api/checkout.
    if (path === '/checkout') options.onRequest = app.checkoutRateLimit;
    app.post(path, options, render);
  }
}
