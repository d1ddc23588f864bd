import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { Type } from 'typebox';
import { stampWrite } from '../../auth/last-write';
import { userFromClaims } from '../../auth/user';
import { cartId } from '../../cart/rules';
import type { PublicOrigins } from '../../public-origins';
import { safeReturnTo } from './return-to';

export interface AuthRoutesOptions {
  origins: PublicOrigins;
}

/** `offline_access` asks for a refresh token: the roles are re-checked with it while the session lasts. */
const SCOPES = 'openid profile email offline_access';

/**
 * Sign-in with OpenID Connect (authorization code + PKCE). The state, nonce and code verifier wait in
 * the sealed session between /auth/login and /auth/callback; the callback keeps the user and the ID
 * token (for sign-out) and forgets the rest.
 *
 * Redirect URIs are built from the configured origin the request came to (`origins.of`): a sign-in
 * started on the preview host comes back to the preview host, whose host-only cookie holds its
 * state, and so to the same colour. The identity provider must list each origin's callback.
 */
export default async function authRoutes(fastify: FastifyInstance, { origins }: AuthRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  /** The provider's metadata; a provider that cannot be reached makes sign-in a 503, not a 500. */
  async function provider(request: FastifyRequest): Promise<oidc.Configuration> {
    try {
      return await app.oidc.get();
    } catch (error) {
      request.log.error({ err: error }, 'identity provider unreachable');
      throw new Errors.NotReady('Sign-in is unavailable right now');
    }
  }

  app.get(
    '/login',
    {
      onRequest: app.loginRateLimit,
      schema: { querystring: Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 2000 })) }) },
    },
    async (request, reply) => {
      const config = await provider(request);
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const origin = origins.of(request);
      const pending = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier,
        returnTo: safeReturnTo(request.query.returnTo, origin),
        origin,
      };
      request.session.set('pendingSignIn', pending);
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${origin}/auth/callback`,
        scope: SCOPES,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return reply.redirect(url.href);
    },
  );

  app.get('/callback', async (request, reply) => {
    const pending = request.session.get('pendingSignIn');
    if (!pending) throw new Errors.Validation('No sign-in is in progress; start again from the sign-in link');
    const config = await provider(request);
    // The token request must name the redirect URI the authorization request did.
    const origin = pending.origin && origins.allows(pending.origin) ? pending.origin : origins.primary;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, new URL(request.url, origin), {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
      });
    } catch (error) {
      request.log.warn({ err: error }, 'sign-in callback rejected');
      request.session.set('pendingSignIn', undefined);
      throw new Errors.Validation('Sign-in failed; start again from the sign-in link');
    }
    const claims = tokens.claims();
    if (!claims) throw new Errors.Validation('The identity provider returned no ID token');
    const anonymousCartId = request.session.get('cartId');
    const user = userFromClaims(claims);
    const sid = await app.sessions.create(
      {
        user,
        ...(tokens.refresh_token && { refreshToken: tokens.refresh_token }),
        ...(tokens.id_token && { idToken: tokens.id_token }),
      },
      new Date(),
    );
    // A new identity gets a fresh cookie (and so a fresh CSRF secret) naming the new session.
    request.session.regenerate();
    request.session.set('sid', sid);
    if (anonymousCartId) await mergeAnonymousCart(request, anonymousCartId, user.sub);
    // A write by a GET (the merge, a new session): stamped as a form post is.
    stampWrite(request.session);
    request.log.info({ sub: claims.sub }, 'signed in');
    return reply.redirect(pending.returnTo);
  });

  /** What was put in the cart signed out moves to the user's cart; sign-in does not fail over it. */
  async function mergeAnonymousCart(request: FastifyRequest, anonymousId: string, sub: string) {
    try {
      await app.carts.merge(cartId({ kind: 'anonymous', id: anonymousId }), cartId({ kind: 'user', sub }));
    } catch (error) {
      request.log.error({ err: error }, 'could not merge the anonymous cart at sign-in');
    }
  }

  /** Ends the session on the server and in the browser, then at the provider. */
  async function signOut(request: FastifyRequest, reply: FastifyReply, everywhere: boolean) {
    const now = new Date();
    const sid = request.session.get('sid');
    const session = sid ? await app.sessions.find(sid, now.getTime()) : undefined;
    const ended = session ? await app.sessions.end(session, now) : undefined;
    if (everywhere && request.user) {
      const count = await app.sessions.endAll(request.user.sub, now);
      request.log.info({ sub: request.user.sub, sessions: count + (ended ? 1 : 0) }, 'signed out everywhere');
    }
    request.session.delete();
    // Back to the host signed out from; the provider must list each origin's `/` as well.
    const home = `${origins.of(request)}/`;
    try {
      const config = await app.oidc.get();
      if (!config.serverMetadata().end_session_endpoint) return reply.redirect(home, 303);
      // End the provider's session too, or the next sign-in would silently reuse it.
      const url = oidc.buildEndSessionUrl(config, {
        post_logout_redirect_uri: home,
        client_id: config.clientMetadata().client_id,
        ...(ended?.idToken && { id_token_hint: ended.idToken }),
      });
      return reply.redirect(url.href, 303);
    } catch (error) {
      request.log.warn({ err: error }, 'could not reach the identity provider to sign out there');
      return reply.redirect(home, 303);
    }
  }

  app.post('/logout', { preHandler: app.csrfProtection }, (request, reply) => signOut(request, reply, false));

  /** Every session of the user ends, on every device (a lost phone, a shared computer). */
  app.post(
    '/logout-everywhere',
    { onRequest: app.requireUser, preHandler: app.csrfProtection },
    (request, reply) => signOut(request, reply, true),
  );
}
