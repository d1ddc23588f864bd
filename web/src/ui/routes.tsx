import { data, type RouteObject } from 'react-router';
import type { StorefrontData } from './data';
import { Layout, ROOT_ROUTE_ID } from './layout';
import { HomePage, homeLoader } from './pages/home';
import { PageError } from './pages/not-found';
import { ProductPage, productLoader } from './pages/product';

/** Paths the server renders; anything else is the JSON 404 of the API. */
export const PAGE_PATHS = ['/', '/products/:id'] as const;

/** The route tree shared by the server (static handler) and the browser (data router). */
export function createRoutes(source: StorefrontData): RouteObject[] {
  return [
    {
      id: ROOT_ROUTE_ID,
      path: '/',
      Component: Layout,
      loader: () => source.session(),
      // The session only changes through full-page posts and redirects (sign-in, sign-out).
      shouldRevalidate: () => false,
      ErrorBoundary: PageError,
      children: [
        {
          // Pathless, so a page's error (a 404 too) renders inside the layout, under the header.
          id: 'pages',
          ErrorBoundary: PageError,
          children: [
            { id: 'home', index: true, loader: homeLoader(source), Component: HomePage },
            { id: 'product', path: 'products/:id', loader: productLoader(source), Component: ProductPage },
            {
              id: 'not-found',
              path: '*',
              loader: () => {
                throw data(null, { status: 404, statusText: 'Not Found' });
              },
            },
          ],
        },
      ],
    },
  ];
}
