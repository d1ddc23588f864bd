import type { RouteObject } from 'react-router';
import { describe, expect, it } from 'vitest';
import { appNavigationPath, type LinkClick, type LinkTarget } from './link-navigation';

const origin = 'https://shop.example';
const routes: RouteObject[] = [
  {
    path: '/',
    children: [{ index: true }, { path: 'products/:id' }, { path: 'cart' }, { path: '*' }],
  },
];
const plainClick: LinkClick = {
  button: 0,
  metaKey: false,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  defaultPrevented: false,
};
const link = (href: string, extra: Partial<LinkTarget> = {}): LinkTarget => ({
  href,
  target: '',
  hasDownload: false,
  ...extra,
});

describe('appNavigationPath', () => {
  it('turns a plain click on a link to an app page into its path, query and hash kept', () => {
    expect(appNavigationPath(plainClick, link('/products/teapot?x=1#reviews'), origin, routes)).toBe(
      '/products/teapot?x=1#reviews',
    );
    expect(appNavigationPath(plainClick, link(`${origin}/cart`), origin, routes)).toBe('/cart');
    expect(appNavigationPath(plainClick, link('/'), origin, routes)).toBe('/');
  });

  it('leaves paths the router does not render to the browser (sign-in, images, unknown)', () => {
    expect(appNavigationPath(plainClick, link('/auth/login?returnTo=%2F'), origin, routes)).toBeNull();
    expect(appNavigationPath(plainClick, link('/images/teapot.svg'), origin, routes)).toBeNull();
    expect(appNavigationPath(plainClick, link('/products/a/b'), origin, routes)).toBeNull();
  });

  it('leaves other origins, new tabs and downloads to the browser', () => {
    expect(appNavigationPath(plainClick, link('https://elsewhere.example/cart'), origin, routes)).toBeNull();
    expect(appNavigationPath(plainClick, link('/cart', { target: '_blank' }), origin, routes)).toBeNull();
    expect(appNavigationPath(plainClick, link('/cart', { target: '_self' }), origin, routes)).toBe('/cart');
    expect(appNavigationPath(plainClick, link('/cart', { hasDownload: true }), origin, routes)).toBeNull();
  });

  it('leaves modified, non-primary and already handled clicks to the browser', () => {
    for (const change of [
      { metaKey: true },
      { ctrlKey: true },
      { shiftKey: true },
      { altKey: true },
      { button: 1 },
      { defaultPrevented: true },
    ]) {
      expect(appNavigationPath({ ...plainClick, ...change }, link('/cart'), origin, routes)).toBeNull();
    }
  });
});
