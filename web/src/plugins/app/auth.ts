import { Errors } from '@az-shop/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { OidcClient } from '../../auth/oidc-client';
import '../../auth/session-data';
import { isAdmin, type SessionUser } from '../../auth/user';
import type { WebConfig } from '../../config';

declare module 'fastify' {
  interface FastifyInstance {
    oidc: OidcClient;
    /** onRequest/preHandler for shopper routes that need a user (orders): 401 when signed out. */
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** preHandler for back-office routes: 401 when signed out, 403 without the admin role. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyRequest {
    /** The signed-in user from the sealed session, or null. */
    readonly user: SessionUser | null;
  }
}

/** The signed-in user; 401 when signed out (an expired session is a signed-out one). */
export function signedIn(request: FastifyRequest): SessionUser {
  if (!request.user) throw new Errors.Unauthorized();
  return request.user;
}

export const authPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    app.decorate(
      'oidc',
      new OidcClient({
        issuer: config.OIDC_ISSUER,
        clientId: config.OIDC_CLIENT_ID,
        clientSecret: config.OIDC_CLIENT_SECRET,
      }),
    );
    app.decorateRequest('user', {
      getter(this: FastifyRequest) {
        return this.session.get('user') ?? null;
      },
    });
    app.decorate('requireUser', async (request: FastifyRequest) => {
      signedIn(request);
    });
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      if (!request.user) throw new Errors.Unauthorized();
      if (!isAdmin(request.user)) throw new Errors.Forbidden('The admin role is required');
    });
  },
  { name: 'az-shop-auth', dependencies: ['az-shop-session'] },
);
