import type { FastifyInstance } from 'fastify';
import type { PageRendererOptions } from '../ssr/render-page';
import adminApiRoutes from './admin-api';
import apiRoutes from './api';
import authRoutes from './auth';
import imageRoutes from './images';
import pageRoutes from './pages';

/** Every route of the web app, by prefix. */
export default async function routes(app: FastifyInstance, options: PageRendererOptions) {
  const { baseUrl } = options;
  await app.register(adminApiRoutes, { prefix: '/api/admin' });
  await app.register(apiRoutes, { prefix: '/api' });
  await app.register(authRoutes, { prefix: '/auth', baseUrl });
  await app.register(imageRoutes, { prefix: '/images' });
  await app.register(pageRoutes, options);
}
