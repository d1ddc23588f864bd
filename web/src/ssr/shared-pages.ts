import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SHARED_PAGE_PATHS } from '../ui/routes';

/**
 * A catalog page looks the same to every visitor who is not signed in and has no cart, except for
 * two values that must be each response's own: the CSP nonce and the CSRF token. Such a page is
 * rendered once with these stand-ins, kept for a few seconds, and each response gets its values
 * put in their place — a string join instead of a React render. The stand-ins are random per
 * process, so no catalog text can contain them; they survive HTML and JSON escaping unchanged.
 */
export const SLOT_VALUES = {
  nonce: `nonce${randomBytes(12).toString('hex')}`,
  csrfToken: `csrf${randomBytes(12).toString('hex')}`,
} as const;

type Slot = keyof typeof SLOT_VALUES;

/** A rendered page cut at its stand-ins: parts[0] slot[0] parts[1] slot[1] … parts[n]. */
export interface SharedPage {
  parts: string[];
  slots: Slot[];
}

const SLOT_PATTERN = new RegExp(`(${SLOT_VALUES.nonce}|${SLOT_VALUES.csrfToken})`);
const SLOT_BY_VALUE = new Map<string, Slot>([
  [SLOT_VALUES.nonce, 'nonce'],
  [SLOT_VALUES.csrfToken, 'csrfToken'],
]);

export function sharedPage(html: string): SharedPage {
  const pieces = html.split(SLOT_PATTERN);
  const parts: string[] = [];
  const slots: Slot[] = [];
  pieces.forEach((piece, index) => {
    if (index % 2 === 0) parts.push(piece);
    else slots.push(SLOT_BY_VALUE.get(piece) as Slot);
  });
  return { parts, slots };
}

/** The page with this response's nonce and CSRF token in place of the stand-ins. */
export function personalise(page: SharedPage, values: Record<Slot, string>): string {
  let html = page.parts[0] ?? '';
  page.slots.forEach((slot, index) => {
    html += values[slot] + (page.parts[index + 1] ?? '');
  });
  return html;
}

/** The query parameters that change a shared page (the pager's `offset`, the product page's `added`). */
const PAGE_PARAMS = ['offset', 'added'] as const;

/**
 * The page's own URL: its path and the parameters that change it, in a fixed order. Anything else
 * in the query (campaign tags, cache busters, junk) is left out, so it can neither make a new cache
 * entry nor be rendered into a page other visitors get.
 */
export function sharedPageUrl(path: string, query: Readonly<Record<string, unknown>>): string {
  const kept = new URLSearchParams();
  for (const name of PAGE_PARAMS) {
    const value = query[name];
    if (value !== undefined) kept.set(name, String(value));
  }
  const search = kept.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * The cache key of a request that may get a shared page (its `sharedPageUrl`): a GET of a catalog
 * page by a visitor who is not signed in and has no cart; undefined for anyone else (they get their
 * own render).
 */
export function sharedPageKey(request: FastifyRequest): string | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  if (!(SHARED_PAGE_PATHS as readonly string[]).includes(request.routeOptions.url ?? '')) return undefined;
  if (request.user || request.session.get('cartId')) return undefined;
  const path = request.url.split('?', 1)[0] ?? '/';
  return sharedPageUrl(path, request.query as Record<string, unknown>);
}
