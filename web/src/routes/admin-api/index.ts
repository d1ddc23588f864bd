import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { isSafeMethod } from '../../http/safe-methods';
import auditRoutes from './audit';
import catalogRoutes from './catalog';
import operationsRoutes from './operations';
import adminOrderRoutes from './orders';
import productImageRoutes from './product-image';
import productionRoutes from './production';

/**
 * The back office's JSON API under /api/admin. The admin check and CSRF are hooks of this whole
 * plugin, not options of each route, so a route added here later cannot forget them (and
 * test/admin-access.int.spec.ts walks the route table to prove it).
 */
export default async function adminApiRoutes(app: FastifyInstance) {
  app.addHook('onRequest', app.requireAdmin);
  app.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (isSafeMethod(request.method)) return done();
    app.csrfProtection(request, reply, done);
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  await app.register(catalogRoutes, { prefix: '/catalog' });
  await app.register(productImageRoutes, { prefix: '/catalog' });
  await app.register(auditRoutes);
  await app.register(operationsRoutes, { prefix: '/operations' });
  await app.register(productionRoutes);
  await app.register(adminOrderRoutes);
}
