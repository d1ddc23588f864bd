import type { FastifyInstance } from 'fastify';
import { DEV_CHECKOUT_PATH, isDevProvider } from '../payments/dev-provider';
import type { PublicOrigins } from '../public-origins';
import type { PageRendererOptions } from '../ssr/render-page';
import adminApiRoutes from './admin-api';
import adminPageRoutes from './admin-pages';
import apiRoutes from './api';
import authRoutes from './auth';
import devCheckoutRoutes from './dev-checkout';
import imageRoutes, { type ImageRoutesOptions } from './images';
import pageRoutes from './pages';

export interface RoutesOptions extends PageRendererOptions, ImageRoutesOptions {
  origins: PublicOrigins;
}

/** Every route of the web app, by prefix. */
export default async function routes(app: FastifyInstance, { origins, tagTtlMs, ...options }: RoutesOptions) {
  await app.register(adminApiRoutes, { prefix: '/api/admin' });
  await app.register(apiRoutes, { prefix: '/api' });
  await app.register(authRoutes, { prefix: '/auth', origins });
  await app.register(imageRoutes, { prefix: '/images', tagTtlMs });
  const provider = app.paymentProvider;
  if (isDevProvider(provider)) await app.register(devCheckoutRoutes, { prefix: DEV_CHECKOUT_PATH, provider });
  await app.register(adminPageRoutes, options);
  await app.register(pageRoutes, options);
}
