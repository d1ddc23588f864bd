import type { FastifyInstance } from 'fastify';
import { renderPage } from '../../ssr/render-page';
import { PAGE_PATHS } from '../../ui/routes';

/** Server-rendered storefront pages; each path of the shared route tree gets a GET route here. */
export default async function pageRoutes(app: FastifyInstance, { baseUrl }: { baseUrl: string }) {
  for (const path of PAGE_PATHS) {
    app.get(path, async (request, reply) => {
      await renderPage(request, reply, baseUrl);
      return reply;
    });
  }
}
