import { Errors } from '@az-shop/common';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { Type } from 'typebox';
import { userFromClaims } from '../../auth/user';
import { cartId } from '../../cart/rules';
import { safeReturnTo } from './return-to';

export interface AuthRoutesOptions {
  baseUrl: string;
}

const SCOPES = 'openid profile email';

/**
 * Sign-in with OpenID Connect (authorization code + PKCE). The state, nonce and code verifier wait in
 * the sealed session between /auth/login and /auth/callback; the callback keeps the user and the ID
 * token (for sign-out) and forgets the rest.
 */
export default async function authRoutes(fastify: FastifyInstance, { baseUrl }: AuthRoutesOptions) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const redirectUri = `${baseUrl}/auth/callback`;

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
      const pending = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier,
        returnTo: safeReturnTo(request.query.returnTo),
      };
      request.session.set('pendingSignIn', pending);
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
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
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, new URL(request.url, baseUrl), {
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
    // A new identity gets a fresh session (and so a fresh CSRF secret).
    request.session.regenerate();
    const user = userFromClaims(claims);
    request.session.set('user', user);
    if (tokens.id_token) request.session.set('idToken', tokens.id_token);
    if (anonymousCartId) await mergeAnonymousCart(request, anonymousCartId, user.sub);
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

  app.post('/logout', { preHandler: app.csrfProtection }, async (request, reply) => {
    const idToken = request.session.get('idToken');
    request.session.delete();
    const home = `${baseUrl}/`;
    try {
      const config = await app.oidc.get();
      if (!config.serverMetadata().end_session_endpoint) return reply.redirect(home, 303);
      // End the provider's session too, or the next sign-in would silently reuse it.
      const url = oidc.buildEndSessionUrl(config, {
        post_logout_redirect_uri: home,
        client_id: config.clientMetadata().client_id,
        ...(idToken && { id_token_hint: idToken }),
      });
      return reply.redirect(url.href, 303);
    } catch (error) {
      request.log.warn({ err: error }, 'could not reach the identity provider to sign out there');
      return reply.redirect(home, 303);
    }
  });
}
