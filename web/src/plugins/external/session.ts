import fastifyCookie from '@fastify/cookie';
import secureSession from '@fastify/secure-session';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { stampWrite } from '../../auth/last-write';
import { deriveKeys, sessionSecrets } from '../../auth/session-keys';
import { sessionOpener } from '../../auth/session-open';
import { sessionSealer } from '../../auth/session-seal';
import { isHttps, secureCookies, type WebConfig } from '../../config';
import { isSafeMethod } from '../../http/safe-methods';

/** The cookie's name over plain http (local development and tests). */
export const SESSION_COOKIE = 'az_session';

/**
 * Over https the cookie takes the `__Host-` prefix: browsers then accept it only when it is Secure,
 * has Path=/ and no Domain, so no other host of the domain can set or overwrite it.
 */
export function sessionCookieName(config: Pick<WebConfig, 'WEB_BASE_URL'>): string {
  return isHttps(config) ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

type SecureSession = FastifyRequest['session'];

const OPENED = Symbol('openedSession');
type WithSession = { [OPENED]: SecureSession | null };

/**
 * The sealed (encrypted and authenticated) cookie: the signed-in session's id (the session itself is
 * on the server, `sessions`), a sign-in in progress, the anonymous cart's id, the CSRF secret and the
 * time of the visitor's last write.
 * HttpOnly keeps it from scripts; SameSite=Lax keeps it off cross-site posts but on the redirect back
 * from the identity provider. Sealed with the newest of SESSION_SECRET / SESSION_SECRET_PREVIOUS and
 * opened with either, so a secret rotation signs nobody out (a cookie opened with the previous key
 * is sealed again with the new one). secure-session opens the cookie; web seals it in the same format
 * (auth/session-seal.ts: a nonce per cookie without a system call each).
 *
 * Opened when a request first reads `request.session`, not on every request (issue #18): a request
 * for an image, an asset or the catalog never pays for parsing cookies and opening the seal. Sealed
 * again on the way out only when it changed, as secure-session does (its per-session `options()` is
 * not carried: nothing here calls it). A state-changing request that opened it always changes it:
 * it carries the time of the visitor's last write (`wroteAt`, auth/last-write.ts). A cookie that
 * opened before is not opened again: its contents are kept by the exact cookie (auth/session-open.ts).
 */
export const sessionPlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const cookieName = sessionCookieName(config);
    const cookieOptions = {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(config),
    } as const;
    const keys = deriveKeys(sessionSecrets(config), 'session-cookie');
    const sealSession = sessionSealer(keys);
    const expirySeconds = config.SESSION_MAX_HOURS * 3600;
    /** The scope secure-session is registered in: its sealing functions are decorators there. */
    let sealer: FastifyInstance | undefined;
    const seal = () => {
      if (!sealer) throw new Error('secure-session did not register');
      return sealer;
    };
    // Added before @fastify/cookie's onSend, which writes the cookies set so far: without its parsing
    // hook it takes over later ones only once some were set, so a cookie set after it would be lost.
    app.addHook('onSend', (request, reply, payload, done) => {
      const session = (request as unknown as WithSession)[OPENED];
      // Once the handler has run: a request that may have written the visitor's data (a form, an API
      // call) is stamped, so no instance shows them what it cached before it (auth/last-write.ts).
      if (session && !session.deleted && !isSafeMethod(request.method)) stampWrite(session);
      if (session?.deleted)
        reply.setCookie(cookieName, '', { ...cookieOptions, expires: new Date(0), maxAge: 0 });
      else if (session?.changed) reply.setCookie(cookieName, sealSession(session), cookieOptions);
      done(null, payload);
    });
    // Cookies are parsed when the session is opened, not by a hook on every request.
    await app.register(fastifyCookie, { hook: false });
    // In a scope of its own, secure-session's hooks (opening the cookie on every request) apply to
    // no route; its sealing serves the session opened on demand below.
    await app.register(async (scope) => {
      await scope.register(secureSession, {
        cookieName,
        key: keys,
        expiry: expirySeconds,
        cookie: cookieOptions,
      });
      sealer = scope;
    });
    const sealing = seal();
    // Its sealing on the app too, as secure-session decorates it when registered the usual way.
    app.decorate('createSecureSession', (data?: Record<string, unknown>) =>
      sealing.createSecureSession(data ?? {}),
    );
    app.decorate('encodeSecureSession', sealSession);
    app.decorate('decodeSecureSession', (cookie: string, log?: FastifyBaseLogger) =>
      sealing.decodeSecureSession(cookie, log ?? app.log),
    );

    const openSession = sessionOpener({
      open: (cookie, log) => sealing.decodeSecureSession(cookie, log),
      create: (data) => sealing.createSecureSession(data),
      expirySeconds,
    });
    app.decorateRequest(OPENED, null);
    app.decorateRequest('session', {
      getter(this: FastifyRequest) {
        const request = this as unknown as WithSession & FastifyRequest;
        if (request[OPENED]) return request[OPENED];
        const header = request.headers.cookie;
        const cookie = header ? app.parseCookie(header)[cookieName] : undefined;
        request[OPENED] = (cookie && openSession(cookie, request.log)) || sealing.createSecureSession({});
        return request[OPENED];
      },
    });
  },
  { name: 'az-shop-session' },
);
