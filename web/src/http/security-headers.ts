import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import { isHttps, type WebConfig } from '../config';
import { paymentPageOrigins } from '../payments';

export type Header = readonly [name: string, value: string];

/** A page's two nonces: React's inline scripts carry the first, inline styles would carry the second. */
export interface CspNonces {
  script: string;
  style: string;
}

export interface SecurityHeaders {
  /** On every answer (JSON, images, assets, event streams, pages): cheap, fixed strings. */
  every: readonly Header[];
  /** Added to an HTML answer: helmet's full set, its CSP carrying that page's nonces. */
  page(nonces: CspNonces): Header[];
}

/** Stand-ins helmet writes where the nonces go; replaced per page, never sent. */
const SCRIPT_SLOT = 'NONCE-SLOT-SCRIPT';
const STYLE_SLOT = 'NONCE-SLOT-STYLE';

/** On answers that are not pages: nothing may run, load or frame them, and no sniffing them into a page. */
const NOT_A_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'";
/** Headers that mean something for any answer, not only for a document. */
const ON_EVERY_ANSWER = new Set([
  'x-content-type-options',
  'strict-transport-security',
  'cross-origin-resource-policy',
  'referrer-policy',
]);

/** Runs helmet's middleware once against a stand-in response, for the headers it would set. */
function helmetHeaders(options: HelmetOptions): Header[] {
  const headers = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return [...headers];
}

/**
 * The security headers, computed once at start (helmet's defaults and our CSP) rather than by helmet
 * on every request. Scripts run only from our own origin or with the page's nonce (React's streaming
 * SSR swaps Suspense boundaries in with small inline scripts that carry it). Forms may post to the
 * identity provider because sign-out ends there, and to the payment provider's page (the pay form's
 * redirect).
 */
export function securityHeaders(config: WebConfig): SecurityHeaders {
  const https = isHttps(config);
  const all = helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", `'nonce-${SCRIPT_SLOT}'`],
        styleSrc: ["'self'", `'nonce-${STYLE_SLOT}'`],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'", new URL(config.OIDC_ISSUER).origin, ...paymentPageOrigins(config)],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // Upgrading would break the plain-http dev setup on 127.0.0.1.
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    hsts: https,
  });
  const csp = all.find(([name]) => name === 'content-security-policy')?.[1] ?? '';
  const [beforeScript = '', rest = ''] = csp.split(SCRIPT_SLOT);
  const [betweenNonces = '', afterStyle = ''] = rest.split(STYLE_SLOT);
  if (!rest || !afterStyle) throw new Error('the CSP has no place for the nonces');
  const every: Header[] = [
    ...all.filter(([name]) => ON_EVERY_ANSWER.has(name)),
    ['content-security-policy', NOT_A_PAGE_CSP],
  ];
  const pageOnly = all.filter(([name]) => !ON_EVERY_ANSWER.has(name) && name !== 'content-security-policy');
  return {
    every,
    page: ({ script, style }) => [
      ...pageOnly,
      ['content-security-policy', `${beforeScript}${script}${betweenNonces}${style}${afterStyle}`],
    ],
  };
}
