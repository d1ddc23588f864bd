import { Errors } from '@az-shop/common';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { PublicOrigins } from '../../public-origins';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF tokens for state-changing forms: the secret lives in the sealed session, pages embed a token
 * in a hidden `_csrf` field, and routes opt in with `preHandler: app.csrfProtection`.
 *
 * Before any route, a state-changing request whose `Origin` names another site is refused, whatever
 * it carries: only the configured origins (the shop's, and the preview host's during a release) may
 * post. `Origin: null` and no `Origin` are left to the token: browsers send `null` on our own form
 * posts under `Referrer-Policy: no-referrer`, and servers (payment webhooks) send none.
 */
export const csrfPlugin = fp<{ origins: PublicOrigins }>(
  async (app: FastifyInstance, { origins }) => {
    await app.register(csrf, { sessionPlugin: '@fastify/secure-session' });
    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      const origin = request.headers.origin;
      if (origin === undefined || origin === 'null' || origins.allows(origin)) return;
      request.log.warn({ origin }, 'state-changing request from another origin refused');
      throw new Errors.Forbidden('This request came from another site');
    });
  },
  { name: 'az-shop-csrf', dependencies: ['az-shop-session'] },
);
