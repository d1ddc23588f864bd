import type { FastifyBaseLogger, FastifyRequest } from 'fastify';

type SecureSession = FastifyRequest['session'];

export interface SessionOpenerOptions {
  /** secure-session's own opening: checks the seal with each key, null when it fails or has expired. */
  open(cookie: string, log: FastifyBaseLogger): SecureSession | null;
  /** A session over plain data (secure-session's `createSecureSession`). */
  create(data: Record<string, unknown>): SecureSession;
  /** How long a session lives after its `__ts` stamp, as secure-session's `expiry`. */
  expirySeconds: number;
  /** Cookies whose contents are kept (the least recently opened go first). */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Opens session cookies, keeping what the last `maxEntries` of them hold. A browser sends the same
 * sealed cookie with every request until its session changes, and opening it (two base64 decodes,
 * `crypto_secretbox_open`, the JSON and secure-session's proxy) each time took web's CPU per kept
 * catalog page from about 124 to 152 µs (docs/performance.md). The exact cookie string is the key,
 * so only a cookie that opened before gets its contents back; its expiry is checked on every
 * opening, as secure-session does. A cookie sealed with an older key is not kept: it is opened (and
 * sealed again with the newest) each time.
 * Each opening gets a session of its own, over a copy, so what one request changes no other sees.
 */
export function sessionOpener({
  open,
  create,
  expirySeconds,
  maxEntries = 10_000,
  now = Date.now,
}: SessionOpenerOptions): (cookie: string, log: FastifyBaseLogger) => SecureSession | null {
  /** The cookie → its session's JSON (with `__ts`), in order of last use. */
  const opened = new Map<string, string>();

  return (cookie, log) => {
    const kept = opened.get(cookie);
    if (kept === undefined) {
      const session = open(cookie, log);
      // `changed` on a session just opened: it was sealed with an older key (secure-session).
      if (session && !session.changed) {
        opened.set(cookie, JSON.stringify({ ...session.data(), __ts: session.get('__ts') }));
        if (opened.size > maxEntries) opened.delete(opened.keys().next().value as string);
      }
      return session;
    }
    const data = JSON.parse(kept) as { __ts: number };
    if ((data.__ts + expirySeconds) * 1000 - now() <= 0) {
      opened.delete(cookie);
      return null;
    }
    // Last used now: moved to the end of the eviction order.
    opened.delete(cookie);
    opened.set(cookie, kept);
    return create(data);
  };
}
