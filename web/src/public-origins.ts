import type { WebConfig } from './config';

/** What this module reads of a request: Fastify's `host` and `protocol` (X-Forwarded-* when trusted). */
export interface RequestAddress {
  host: string;
  protocol: string;
}

/**
 * The origins web is served under: the shop's (WEB_BASE_URL) and, during a blue-green release, the
 * preview host's (WEB_PREVIEW_BASE_URL), where the new colour is tried before promotion. Each
 * request is answered for the configured origin it came to, never for one its headers made up.
 */
export interface PublicOrigins {
  /** WEB_BASE_URL: what anything else falls back to. */
  readonly primary: string;
  /** Every configured origin, the primary first. */
  readonly all: readonly string[];
  /** The configured origin the request came to, or the primary one when it came to none. */
  of(request: RequestAddress): string;
  /** Whether an `Origin` header value names a configured origin (scheme, host and port, exactly). */
  allows(origin: string): boolean;
}

interface Configured {
  origin: string;
  scheme: string;
  /** `host[:port]` as `URL.host` has it: lower case, without the scheme's default port. */
  host: string;
}

const DEFAULT_PORTS: Record<string, string> = { http: ':80', https: ':443' };

/** A Host header value as `URL.host` would write it, without parsing it (it is the client's text). */
function normaliseHost(host: string, scheme: string): string {
  const lower = host.trim().toLowerCase();
  const defaultPort = DEFAULT_PORTS[scheme];
  return defaultPort && lower.endsWith(defaultPort) ? lower.slice(0, -defaultPort.length) : lower;
}

function configured(origin: string): Configured {
  const url = new URL(origin);
  return { origin: url.origin, scheme: url.protocol.slice(0, -1), host: url.host };
}

/**
 * `trustsProxy` says whether `request.protocol` is the browser's scheme: with a trusted proxy,
 * Fastify takes it (and the host) from X-Forwarded-Proto/-Host, and scheme, host and port must all
 * match. Without one, TLS ends at the ingress and the app only sees plain http, so the Host header
 * alone picks among the configured origins, whose scheme is the configuration's. Either way the
 * answer is one of the configured strings: a forged header can only choose another configured origin.
 */
export function publicOrigins(
  config: Pick<WebConfig, 'WEB_BASE_URL' | 'WEB_PREVIEW_BASE_URL' | 'TRUST_PROXY'>,
): PublicOrigins {
  const list = [config.WEB_BASE_URL, config.WEB_PREVIEW_BASE_URL]
    .filter((origin): origin is string => origin !== undefined)
    .map(configured);
  const primary = list[0] as Configured;
  // A hop count of 0 trusts no proxy either (Fastify then reports the socket's own scheme).
  const trustsProxy = config.TRUST_PROXY !== 'false' && config.TRUST_PROXY !== '0';
  const origins = new Set(list.map((entry) => entry.origin));
  return {
    primary: primary.origin,
    all: [...origins],
    of(request) {
      const match = list.find(
        (entry) =>
          normaliseHost(request.host, entry.scheme) === entry.host &&
          (!trustsProxy || request.protocol === entry.scheme),
      );
      return (match ?? primary).origin;
    },
    allows: (origin) => origins.has(origin),
  };
}
