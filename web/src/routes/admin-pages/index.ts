import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAdmin } from '../../auth/user';
import { type PageRendererOptions, pageRenderer } from '../../ssr/render-page';
import { ADMIN_FORM_PATHS, ADMIN_PAGE_PATHS } from '../../ui/admin/routes';
import { signInUrl } from '../../ui/route-errors';
import { errorPage, pageErrorHandler } from '../pages/error-page';
import { PageForm, PageParams, PageQuery } from '../pages/schemas';

const NOT_AN_ADMIN = 'The back office is for the shop’s admins. Ask one to give you the admin role.';

/**
 * The back office's pages, rendered like the storefront's from the shared route tree. The admin
 * check is a hook of this whole plugin (so a page added later cannot forget it): signed out, the
 * browser goes to sign-in and comes back; signed in without the role, a 403 page. Forms post back to
 * their page with the CSRF token, and run the page's action on the server without JavaScript.
 */
export default async function adminPageRoutes(app: FastifyInstance, options: PageRendererOptions) {
  // Never shared between visitors: every back-office page is personal.
  const renderPage = pageRenderer({ ...options, sharedPageTtlMs: 0 });
  const render = async (request: FastifyRequest, reply: FastifyReply) => {
    await renderPage(request, reply);
    return reply;
  };
  app.setErrorHandler(pageErrorHandler);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.user) return reply.redirect(signInUrl(request.url), 302);
    if (!isAdmin(request.user)) {
      return reply
        .code(403)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(errorPage(403, NOT_AN_ADMIN, app.assets, NOT_AN_ADMIN));
    }
  });
  const schema = { params: PageParams, querystring: PageQuery };
  for (const path of ADMIN_PAGE_PATHS) app.get(path, { schema }, render);
  for (const path of ADMIN_FORM_PATHS) {
    app.post(path, { schema: { ...schema, body: PageForm }, preHandler: app.csrfProtection }, render);
  }
}
