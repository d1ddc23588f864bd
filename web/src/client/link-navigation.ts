import { matchRoutes, type RouteObject } from 'react-router';

/**
 * The app's links are plain `<a href>`: react-router's `<Link>` runs half a dozen hooks per link on
 * every server render (a catalog page has dozens of links), while an anchor costs nothing. In the
 * browser one listener gives them what `<Link>` would: a click on a link to one of the app's own
 * pages becomes a client-side navigation; anything else (new tab, download, sign-in, images,
 * another origin) is left to the browser.
 */

/** What of a click the decision needs (a MouseEvent has it all). */
export interface LinkClick {
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
}

/** What of the clicked anchor the decision needs. */
export interface LinkTarget {
  href: string;
  target: string;
  hasDownload: boolean;
}

/** The path to navigate to in the app, or null when the browser should follow the link itself. */
export function appNavigationPath(
  click: LinkClick,
  link: LinkTarget,
  origin: string,
  routes: RouteObject[],
): string | null {
  if (click.defaultPrevented || click.button !== 0) return null;
  if (click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) return null;
  if ((link.target && link.target !== '_self') || link.hasDownload) return null;
  const url = new URL(link.href, origin);
  if (url.origin !== origin) return null;
  // Only the router's own pages: /auth/*, /images/*, /api/* are the server's (the splat route that
  // renders "not found" matches them too).
  const matches = matchRoutes(routes, url.pathname);
  if (!matches || matches.at(-1)?.route.path === '*') return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Routes clicks on app links through `navigate` (the data router's); returns the remover. */
export function navigateOnLinkClicks(
  root: Document,
  routes: RouteObject[],
  navigate: (path: string) => unknown,
): () => void {
  const onClick = (event: MouseEvent) => {
    const anchor = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!(anchor instanceof HTMLAnchorElement)) return;
    const path = appNavigationPath(
      event,
      { href: anchor.href, target: anchor.target, hasDownload: anchor.hasAttribute('download') },
      root.location.origin,
      routes,
    );
    if (path === null) return;
    event.preventDefault();
    void navigate(path);
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
