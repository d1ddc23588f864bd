import { Errors, retryThrottled, type SessionDocument } from '@az-shop/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { OidcClient } from '../../auth/oidc-client';
import { recheckRoles } from '../../auth/roles-check';
import '../../auth/session-data';
import { deriveKeys, sessionSecrets, TokenCipher } from '../../auth/session-keys';
import { effectiveRoles, needsTouch, rolesCheckDue, sessionState } from '../../auth/session-rules';
import { SessionStore } from '../../auth/session-store';
import { isAdmin, type SessionUser } from '../../auth/user';
import type { WebConfig } from '../../config';
import { readsVisitor } from '../../http/visitor-routes';

declare module 'fastify' {
  interface FastifyInstance {
    oidc: OidcClient;
    /** Signed-in sessions (web's `sessions` collection). */
    sessions: SessionStore;
    /** onRequest/preHandler for shopper routes that need a user (orders): 401 when signed out. */
    requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** preHandler for back-office routes: 401 when signed out, 403 without the admin role. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyRequest {
    /** The signed-in user, read from the server's session record (not the cookie), or null. */
    user: SessionUser | null;
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
    const sessions = new SessionStore({
      db: app.db,
      flavour: app.mongoFlavour,
      policy: {
        absoluteMs: config.SESSION_MAX_HOURS * 3_600_000,
        idleMs: config.SESSION_IDLE_MINUTES * 60_000,
        rolesRecheckMs: config.ROLES_RECHECK_SECONDS * 1000,
      },
      cipher: new TokenCipher(deriveKeys(sessionSecrets(config), 'refresh-tokens')),
      cacheMs: config.SESSION_CACHE_SECONDS * 1000,
    });
    await retryThrottled('prepare', () => sessions.createIndexes());
    app.decorate('sessions', sessions);

    /**
     * Asks the provider for the user's roles now (one instance at a time per session): the session
     * with the confirmed roles, the same session when the provider could not be asked (its roles age
     * until they lapse), or undefined when the provider revoked it (the session is ended).
     */
    async function recheck(request: FastifyRequest, session: SessionDocument, now: Date) {
      if (!(await sessions.claimRolesCheck(session, now))) return session;
      const refreshToken = sessions.refreshTokenOf(session);
      const check = await app.oidc
        .get()
        .then((provider) => recheckRoles(provider, refreshToken, session.sub))
        .catch((error: unknown) => ({ outcome: 'unavailable' as const, reason: String(error) }));
      if (check.outcome === 'revoked') {
        request.log.info(
          { sub: session.sub, reason: check.reason },
          'session ended: the provider revoked it',
        );
        await sessions.end(session, now);
        return undefined;
      }
      if (check.outcome === 'unavailable') {
        request.log.warn({ sub: session.sub, reason: check.reason }, 'could not re-check roles');
        await sessions.releaseRolesCheck(session, now);
        return session;
      }
      await sessions.confirmRoles(session, check.roles, check.refreshToken, now);
      return { ...session, roles: check.roles, rolesCheckedAt: now };
    }

    /**
     * Who signed in, from the session record the cookie names: an ended, expired or idle session
     * signs nobody in (and its id leaves the cookie), and roles come from the provider, re-checked on time.
     */
    async function userOf(request: FastifyRequest): Promise<SessionUser | null> {
      const id = request.session.get('sid');
      if (!id) return null;
      const now = new Date();
      let session = await sessions.find(id, now.getTime());
      if (session && sessionState(session, now, sessions.policy) === 'active') {
        if (needsTouch(session, now)) await sessions.touch(session, now);
        if (rolesCheckDue(session, now, sessions.policy)) session = await recheck(request, session, now);
      } else session = undefined;
      if (!session) {
        request.session.set('sid', undefined);
        return null;
      }
      const { sub, name, email } = session;
      return { sub, name, ...(email && { email }), roles: effectiveRoles(session, now, sessions.policy) };
    }

    app.decorateRequest('user', null);
    // Only where the route reads the visitor: a request for an image or the catalog neither opens
    // the session cookie nor looks the user up (a callback hook: no promise for those either).
    app.addHook('onRequest', (request, _reply, done) => {
      if (!readsVisitor(request.method, request.routeOptions.url)) return done();
      userOf(request).then((user) => {
        request.user = user;
        done();
      }, done);
    });
    app.decorate('requireUser', async (request: FastifyRequest) => {
      signedIn(request);
    });
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      if (!request.user) throw new Errors.Unauthorized();
      if (!isAdmin(request.user)) throw new Errors.Forbidden('The admin role is required');
    });
  },
  { name: 'az-shop-auth', dependencies: ['az-shop-session', 'az-shop-mongo'] },
);
