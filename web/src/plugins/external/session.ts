import secureSession from '@fastify/secure-session';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { deriveKeys, sessionSecrets } from '../../auth/session-keys';
import { isHttps, secureCookies, type WebConfig } from '../../config';

/** The cookie's name over plain http (local development and tests). */
export const SESSION_COOKIE = 'az_session';

/**
 * Over https the cookie takes the `__Host-` prefix: browsers then accept it only when it is Secure,
 * has Path=/ and no Domain, so no other host of the domain can set or overwrite it.
 */
export function sessionCookieName(config: Pick<WebConfig, 'WEB_BASE_URL'>): string {
  return isHttps(config) ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

/**
 * The sealed (encrypted and authenticated) cookie: the signed-in session's id (the session itself is
 * on the server, `sessions`), a sign-in in progress, the anonymous cart's id and the CSRF secret.
 * HttpOnly keeps it from scripts; SameSite=Lax keeps it off cross-site posts but on the redirect back
 * from the identity provider. Sealed with the newest of SESSION_SECRET / SESSION_SECRET_PREVIOUS and
 * opened with either, so a secret rotation signs nobody out (a cookie opened with the previous key
 * is sealed again with the new one).
 */
export const sessionPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    await app.register(secureSession, {
      cookieName: sessionCookieName(config),
      key: deriveKeys(sessionSecrets(config), 'session-cookie'),
      expiry: config.SESSION_MAX_HOURS * 3600,
      cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies(config) },
    });
  },
  { name: 'az-shop-session' },
);
