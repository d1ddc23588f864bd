import type { FastifyInstance } from 'fastify';
import cartRoutes from './cart';
import catalogRoutes from './catalog';
import orderRoutes from './orders';
import paymentWebhookRoutes from './payment-webhooks';

/** JSON API under /api (docs/storefront.md): what the browser's loaders and actions call. */
export default async function apiRoutes(app: FastifyInstance) {
  await app.register(catalogRoutes);
  await app.register(cartRoutes);
  await app.register(orderRoutes);
  await app.register(paymentWebhookRoutes);
}
