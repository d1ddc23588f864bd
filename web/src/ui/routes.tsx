import { data, type RouteObject } from 'react-router';
import { adminRoutes } from './admin/routes';
import { RootShell, StorefrontLayout } from './layout';
import { CartPage, cartAction, cartLoader } from './pages/cart';
import { CategoryPage, categoryLoader } from './pages/category';
import { CheckoutPage, checkoutAction, checkoutLoader } from './pages/checkout';
import { HomePage, homeLoader } from './pages/home';
import { PageError } from './pages/not-found';
import { OrderPage, orderAction, orderLoader } from './pages/order';
import { OrdersPage, ordersLoader } from './pages/orders';
import { PayPage, payAction, payLoader } from './pages/pay';
import { ProductPage, productAction, productLoader } from './pages/product';
import { perRequest, type SourceOf } from './per-request';
import { ROOT_ROUTE_ID, rootLoader, shouldRevalidateRoot } from './root-data';

/** Paths the server renders (GET); anything else is the JSON 404 of the API. */
export const PAGE_PATHS = [
  '/',
  '/c/:categoryId',
  '/products/:id',
  '/cart',
  '/checkout',
  '/orders',
  '/orders/:id',
  '/orders/:id/pay',
] as const;

/** Pages whose content depends only on the URL for a visitor who is not signed in and has no cart. */
export const SHARED_PAGE_PATHS = ['/', '/c/:categoryId', '/products/:id'] as const;

/** Pages of one shopper's own data, kept per shopper until that data changes (ssr/personal-pages.ts). */
export const PERSONAL_PAGE_PATHS = ['/cart', '/checkout', '/orders', '/orders/:id'] as const;

/** Paths whose forms post to the page itself: without JavaScript the server runs their action. */
export const FORM_PATHS = ['/products/:id', '/cart', '/checkout', '/orders/:id', '/orders/:id/pay'] as const;

/**
 * The route tree shared by the server (static handler) and the browser (data router). It is built
 * once; each loader and action reads the data source of the request it serves through `sourceOf`
 * (on the server, the request's `requestContext`; in the browser, the one API client).
 */
export function createRoutes(sourceOf: SourceOf): RouteObject[] {
  const source = perRequest(sourceOf);
  return [
    {
      id: ROOT_ROUTE_ID,
      path: '/',
      Component: RootShell,
      loader: source(rootLoader),
      shouldRevalidate: shouldRevalidateRoot,
      ErrorBoundary: PageError,
      children: [
        adminRoutes(sourceOf),
        {
          id: 'storefront',
          Component: StorefrontLayout,
          children: [
            {
              // Pathless, so a page's error (a 404 too) renders inside the layout, under the header.
              id: 'pages',
              ErrorBoundary: PageError,
              children: [
                { id: 'home', index: true, loader: source(homeLoader), Component: HomePage },
                {
                  id: 'category',
                  path: 'c/:categoryId',
                  loader: source(categoryLoader),
                  Component: CategoryPage,
                },
                {
                  id: 'product',
                  path: 'products/:id',
                  loader: source(productLoader),
                  action: source(productAction),
                  Component: ProductPage,
                },
                {
                  id: 'cart',
                  path: 'cart',
                  loader: source(cartLoader),
                  action: source(cartAction),
                  Component: CartPage,
                },
                {
                  id: 'checkout',
                  path: 'checkout',
                  loader: source(checkoutLoader),
                  action: source(checkoutAction),
                  Component: CheckoutPage,
                },
                { id: 'orders', path: 'orders', loader: source(ordersLoader), Component: OrdersPage },
                {
                  id: 'order',
                  path: 'orders/:id',
                  loader: source(orderLoader),
                  action: source(orderAction),
                  Component: OrderPage,
                },
                {
                  id: 'pay',
                  path: 'orders/:id/pay',
                  loader: source(payLoader),
                  action: source(payAction),
                  Component: PayPage,
                },
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
      ],
    },
  ];
}
