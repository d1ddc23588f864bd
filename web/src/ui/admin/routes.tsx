import { data, type RouteObject, redirect } from 'react-router';
import type { StorefrontData } from '../data';
import { AdminError } from './error';
import { AdminLayout } from './layout';
import { AuditPage, auditLoader } from './pages/audit';
import { CatalogPage, catalogAction, catalogLoader } from './pages/catalog';
import { CategoryFormPage, categoryFormAction, categoryFormLoader } from './pages/category-form';
import { FactoryPage, factoryLoader } from './pages/factory';
import { OperationsPage, operationsAction, operationsLoader } from './pages/operations';
import { AdminOrderPage, orderAction, orderLoader } from './pages/order';
import { OrdersPage, ordersLoader } from './pages/orders';
import { ProductFormPage, productFormAction, productFormLoader } from './pages/product-form';
import { ProductionPage, productionAction, productionLoader } from './pages/production';
import { StockPage, stockLoader } from './pages/stock';

/** Back-office paths the server renders (GET), behind its admin check (routes/admin-pages). */
export const ADMIN_PAGE_PATHS = [
  '/admin',
  '/admin/catalog',
  '/admin/catalog/categories/new',
  '/admin/catalog/categories/:id',
  '/admin/catalog/products/new',
  '/admin/catalog/products/:id',
  '/admin/production',
  '/admin/factory',
  '/admin/orders',
  '/admin/orders/:id',
  '/admin/stock',
  '/admin/operations',
  '/admin/audit',
] as const;

/** Back-office pages whose forms post to themselves (without JavaScript the server runs the action). */
export const ADMIN_FORM_PATHS = [
  '/admin/catalog',
  '/admin/catalog/categories/new',
  '/admin/catalog/categories/:id',
  '/admin/catalog/products/new',
  '/admin/catalog/products/:id',
  '/admin/production',
  '/admin/orders/:id',
  '/admin/operations',
] as const;

/** The back office's branch of the route tree: its own layout, under the root (session) route. */
export function adminRoutes(source: StorefrontData): RouteObject {
  return {
    id: 'admin',
    path: 'admin',
    Component: AdminLayout,
    ErrorBoundary: AdminError,
    children: [
      {
        id: 'admin-pages',
        ErrorBoundary: AdminError,
        children: [
          { id: 'admin-home', index: true, loader: () => redirect('/admin/catalog') },
          {
            id: 'admin-catalog',
            path: 'catalog',
            loader: catalogLoader(source),
            action: catalogAction(source),
            Component: CatalogPage,
          },
          {
            id: 'admin-category-new',
            path: 'catalog/categories/new',
            loader: categoryFormLoader(source),
            action: categoryFormAction(source),
            Component: CategoryFormPage,
          },
          {
            id: 'admin-category',
            path: 'catalog/categories/:id',
            loader: categoryFormLoader(source),
            action: categoryFormAction(source),
            Component: CategoryFormPage,
          },
          {
            id: 'admin-product-new',
            path: 'catalog/products/new',
            loader: productFormLoader(source),
            action: productFormAction(source),
            Component: ProductFormPage,
          },
          {
            id: 'admin-product',
            path: 'catalog/products/:id',
            loader: productFormLoader(source),
            action: productFormAction(source),
            Component: ProductFormPage,
          },
          {
            id: 'admin-production',
            path: 'production',
            loader: productionLoader(source),
            action: productionAction(source),
            Component: ProductionPage,
          },
          { id: 'admin-factory', path: 'factory', loader: factoryLoader(source), Component: FactoryPage },
          { id: 'admin-orders', path: 'orders', loader: ordersLoader(source), Component: OrdersPage },
          {
            id: 'admin-order',
            path: 'orders/:id',
            loader: orderLoader(source),
            action: orderAction(source),
            Component: AdminOrderPage,
          },
          { id: 'admin-stock', path: 'stock', loader: stockLoader(source), Component: StockPage },
          {
            id: 'admin-operations',
            path: 'operations',
            loader: operationsLoader(source),
            action: operationsAction(source),
            Component: OperationsPage,
          },
          { id: 'admin-audit', path: 'audit', loader: auditLoader(source), Component: AuditPage },
          {
            id: 'admin-not-found',
            path: '*',
            loader: () => {
              throw data(null, { status: 404, statusText: 'Not Found' });
            },
          },
        ],
      },
    ],
  };
}
