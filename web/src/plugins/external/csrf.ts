import { Errors } from '@az-shop/common';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isSafeMethod } from '../../http/safe-methods';
import type { PublicOrigins } from '../../public-origins';

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
    // A callback hook: a GET passes without a promise made for it.
    app.addHook('onRequest', (request, _reply, done) => {
      if (isSafeMethod(request.method)) return done();
      const origin = request.headers.origin;
      if (origin === undefined || origin === 'null' || origins.allows(origin)) return done();
      request.log.warn({ origin }, 'state-changing request from another origin refused');
      done(new Errors.Forbidden('This request came from another site'));
    });
  },
  { name: 'az-shop-csrf', dependencies: ['az-shop-session'] },
);
