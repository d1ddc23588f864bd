import { data, type RouteObject } from 'react-router';
import { adminRoutes } from './admin/routes';
import type { StorefrontData } from './data';
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

/** Paths whose forms post to the page itself: without JavaScript the server runs their action. */
export const FORM_PATHS = ['/products/:id', '/cart', '/checkout', '/orders/:id', '/orders/:id/pay'] as const;

/** The route tree shared by the server (static handler) and the browser (data router). */
export function createRoutes(source: StorefrontData): RouteObject[] {
  return [
    {
      id: ROOT_ROUTE_ID,
      path: '/',
      Component: RootShell,
      loader: rootLoader(source),
      shouldRevalidate: shouldRevalidateRoot,
      ErrorBoundary: PageError,
      children: [
        adminRoutes(source),
        {
          id: 'storefront',
          Component: StorefrontLayout,
          children: [
            {
              // Pathless, so a page's error (a 404 too) renders inside the layout, under the header.
              id: 'pages',
              ErrorBoundary: PageError,
              children: [
                { id: 'home', index: true, loader: homeLoader(source), Component: HomePage },
                {
                  id: 'category',
                  path: 'c/:categoryId',
                  loader: categoryLoader(source),
                  Component: CategoryPage,
                },
                {
                  id: 'product',
                  path: 'products/:id',
                  loader: productLoader(source),
                  action: productAction(source),
                  Component: ProductPage,
                },
                {
                  id: 'cart',
                  path: 'cart',
                  loader: cartLoader(source),
                  action: cartAction(source),
                  Component: CartPage,
                },
                {
                  id: 'checkout',
                  path: 'checkout',
                  loader: checkoutLoader(source),
                  action: checkoutAction(source),
                  Component: CheckoutPage,
                },
                { id: 'orders', path: 'orders', loader: ordersLoader(source), Component: OrdersPage },
                {
                  id: 'order',
                  path: 'orders/:id',
                  loader: orderLoader(source),
                  action: orderAction(source),
                  Component: OrderPage,
                },
                {
                  id: 'pay',
                  path: 'orders/:id/pay',
                  loader: payLoader(source),
                  action: payAction(source),
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
