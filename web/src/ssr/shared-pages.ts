import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { SessionUser } from '../auth/user';
import { cartLinkLabel } from '../ui/header';
import { escapeJsonForHtml } from '../ui/hydration';
import type { RootData } from '../ui/root-data';
import { SHARED_PAGE_PATHS } from '../ui/routes';

/**
 * A catalog page (home, category, product) is the same for every shopper but for a few values of
 * their own: the CSP nonce, the CSRF token, the signed-in user's name, the cart count, and the root
 * route's hydration data that carries these to the browser. Such a page is rendered once with
 * stand-ins for them, kept for a few seconds, and each response gets its own values put in their
 * place — a join of kept bytes instead of a React render. The stand-ins are random per process, so no
 * catalog text can contain them; they survive HTML and JSON escaping unchanged. What changes the
 * page's shape rather than a value (signed in or not, the roles that show a badge) is in the key.
 */
const CART_COUNT_STAND_IN = 900_000_000_000_000 + randomInt(2 ** 47);
/** The root route's data in the stand-in render's hydration JSON (see render-page.tsx). */
export const ROOT_DATA_STAND_IN = `root${randomBytes(12).toString('hex')}`;

export const SLOT_VALUES = {
  nonce: `nonce${randomBytes(12).toString('hex')}`,
  csrfToken: `csrf${randomBytes(12).toString('hex')}`,
  userName: `name${randomBytes(12).toString('hex')}`,
  // The label holds the count: it comes first in the pattern so it is taken whole.
  cartLabel: cartLinkLabel(CART_COUNT_STAND_IN),
  cartCount: String(CART_COUNT_STAND_IN),
  // As the root's data appears in the hydration JSON: a string, quotes and all.
  rootData: JSON.stringify(ROOT_DATA_STAND_IN),
  // A form's idempotency key (checkout): a new one per response, or two tabs would place one order.
  idempotencyKey: `idem${randomBytes(12).toString('hex')}`,
} as const;

type Slot = keyof typeof SLOT_VALUES;

/** The root data of a page that gets a shared page: the cart count was read. */
export type CountedRootData = RootData & { cartCount: number };

/** What the stand-in render of a shared page gets as its root data: a stand-in for each value. */
export function standInRootData(user: SessionUser | null): CountedRootData {
  return {
    session: {
      user: user && { sub: 'shared-page', name: SLOT_VALUES.userName, roles: user.roles },
      csrfToken: SLOT_VALUES.csrfToken,
    },
    cartCount: CART_COUNT_STAND_IN,
  };
}

/**
 * A rendered page cut at its stand-ins: parts[0] slot[0] parts[1] slot[1] … parts[n]. The parts are
 * kept encoded: a response copies them into one buffer, where a string answer would be measured and
 * encoded again for every response (twice the cost of sending a 15 kB page, `npm run bench -- ssr`).
 */
export interface SharedPage {
  parts: Buffer[];
  slots: Slot[];
  /** The parts' bytes together: a response adds its values' bytes and allocates once. */
  partsLength: number;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SLOT_BY_VALUE = new Map<string, Slot>(
  Object.entries(SLOT_VALUES).map(([slot, value]) => [value, slot as Slot]),
);
const SLOT_PATTERN = new RegExp(`(${[...SLOT_BY_VALUE.keys()].map(escapeRegExp).join('|')})`);

export function sharedPage(html: string): SharedPage {
  const pieces = html.split(SLOT_PATTERN);
  const parts: Buffer[] = [];
  const slots: Slot[] = [];
  pieces.forEach((piece, index) => {
    if (index % 2 === 0) parts.push(Buffer.from(piece));
    else slots.push(SLOT_BY_VALUE.get(piece) as Slot);
  });
  return { parts, slots, partsLength: parts.reduce((sum, part) => sum + part.length, 0) };
}

/** Text as React writes it into HTML (`&#x27;`, not common's `&#39;`, so a kept page reads as a render). */
const REACT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => REACT_ESCAPES[char] ?? char);
}

/** One response's own values: its nonce, and the root data a render of its own would have had. */
export interface PersonalParts {
  nonce: string;
  root: CountedRootData;
}

/**
 * Pages are written into slices of a shared slab: `Buffer.allocUnsafe` pools only buffers under
 * 4 kB, and an ArrayBuffer of its own for each 15 kB page was 2 µs of a kept page's response. A slab
 * lives while a slice of it is being sent; 64 kB (four pages) bounds what a slow client can pin.
 */
const SLAB_BYTES = 64 * 1024;
let slab = Buffer.allocUnsafe(0);
let slabUsed = 0;

function pageBuffer(length: number): Buffer {
  if (slab.length - slabUsed < length) {
    slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, length));
    slabUsed = 0;
  }
  const page = slab.subarray(slabUsed, slabUsed + length);
  slabUsed += length;
  return page;
}

/**
 * The page with this response's own values in place of the stand-ins: each value made once (a page
 * repeats its CSRF token in every form), then the kept parts and the values written into one buffer
 * of the exact size — no list of chunks to concatenate, no buffer per value.
 */
export function personalise(page: SharedPage, { nonce, root }: PersonalParts): Buffer {
  const slotValue = (slot: Slot): string => {
    switch (slot) {
      case 'nonce':
        return nonce;
      case 'csrfToken':
        return root.session.csrfToken;
      case 'userName':
        return escapeHtml(root.session.user?.name ?? '');
      case 'cartLabel':
        return cartLinkLabel(root.cartCount);
      case 'cartCount':
        return String(root.cartCount);
      case 'rootData':
        return escapeJsonForHtml(JSON.stringify(root));
      case 'idempotencyKey':
        // A new key per response (the same wherever its page names it), or two tabs would share one.
        return randomUUID();
    }
  };
  const values: Partial<Record<Slot, string>> = {};
  const byteLengths: Partial<Record<Slot, number>> = {};
  let length = page.partsLength;
  for (const slot of page.slots) {
    let byteLength = byteLengths[slot];
    if (byteLength === undefined) {
      const value = slotValue(slot);
      byteLength = Buffer.byteLength(value);
      values[slot] = value;
      byteLengths[slot] = byteLength;
    }
    length += byteLength;
  }
  const html = pageBuffer(length);
  const { parts, slots } = page;
  let offset = 0;
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] as Buffer;
    html.set(part, offset);
    offset += part.length;
    const slot = slots[index];
    if (slot !== undefined) offset += html.write(values[slot] as string, offset);
  }
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

/** The page's shape for this shopper: a visitor's, or a signed-in one's with these roles (the admin badge). */
export function shapeOf(user: SessionUser | null): string {
  return user ? `user:${[...user.roles].sort().join(',')}` : 'visitor';
}

/** Where a request that may get a shared page finds it: its shape and its `sharedPageUrl`. */
export interface SharedPageKey {
  key: string;
  url: string;
}

/** Whether `request` reads a page of one of these paths (a GET or HEAD; a form post is not kept). */
export function readsPageOf(request: FastifyRequest, paths: readonly string[]): boolean {
  return (
    (request.method === 'GET' || request.method === 'HEAD') && paths.includes(request.routeOptions.url ?? '')
  );
}

/** The shared page a GET of a catalog page gets; undefined for other requests (they get their own render). */
export function sharedPageKey(request: FastifyRequest): SharedPageKey | undefined {
  if (!readsPageOf(request, SHARED_PAGE_PATHS)) return undefined;
  const path = request.url.split('?', 1)[0] ?? '/';
  const url = sharedPageUrl(path, request.query as Record<string, unknown>);
  return { key: `${shapeOf(request.user)} ${url}`, url };
}
