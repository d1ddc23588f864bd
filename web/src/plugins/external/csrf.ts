import csrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * CSRF tokens for state-changing forms: the secret lives in the sealed session, pages embed a token
 * in a hidden `_csrf` field, and routes opt in with `preHandler: app.csrfProtection`.
 */
export const csrfPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(csrf, { sessionPlugin: '@fastify/secure-session' });
  },
  { name: 'az-shop-csrf', dependencies: ['az-shop-session'] },
);
