import secureSession from '@fastify/secure-session';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { secureCookies, type WebConfig } from '../../config';

export const SESSION_COOKIE = 'az_session';
/** Not a secret: it only has to be the same on every instance so they all open each other's cookies. */
const SESSION_SALT = 'az-shop-session!';

/**
 * The session lives in a sealed (encrypted and authenticated) cookie; there is no session store.
 * HttpOnly keeps it from scripts; SameSite=Lax keeps it off cross-site posts but on the redirect back
 * from the identity provider.
 */
export const sessionPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    await app.register(secureSession, {
      cookieName: SESSION_COOKIE,
      secret: config.SESSION_SECRET,
      salt: SESSION_SALT,
      expiry: 24 * 60 * 60,
      cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies(config) },
    });
  },
  { name: 'az-shop-session' },
);
