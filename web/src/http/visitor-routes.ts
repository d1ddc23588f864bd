import { ASSETS_PREFIX } from '../ssr/assets';

/**
 * GET routes whose answer is the same for every visitor and reads nothing of theirs: for them no
 * session cookie is opened and no signed-in user looked up (issue #18). Probes, images and the
 * catalog, and every file of the browser bundle (ASSETS_PREFIX, a route per file). A route not named here gets the visitor, so one added later cannot miss it.
 * `/api/products/:id/availability/events` is not here: its stream limit counts per user.
 */
export const VISITOR_FREE_ROUTES: ReadonlySet<string> = new Set([
  '/healthz',
  '/readyz',
  '/metrics',
  '/images/*',
  '/api/categories',
  '/api/products',
  '/api/products/:id',
  '/api/products/:id/availability',
]);

/**
 * Whether a request to this route (its method and URL pattern, as registered) needs the visitor's
 * session and user. An unknown URL (the 404 handler's, `undefined`) needs neither: it answers JSON.
 */
export function readsVisitor(method: string, url: string | undefined): boolean {
  if (url === undefined) return false;
  if (method !== 'GET' && method !== 'HEAD') return true;
  return !(VISITOR_FREE_ROUTES.has(url) || url.startsWith(ASSETS_PREFIX));
}
