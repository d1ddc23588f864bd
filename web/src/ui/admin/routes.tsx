import { data, type RouteObject, redirect } from 'react-router';
import { perRequest, type SourceOf } from '../per-request';
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
export function adminRoutes(sourceOf: SourceOf): RouteObject {
  const source = perRequest(sourceOf);
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
            loader: source(catalogLoader),
            action: source(catalogAction),
            Component: CatalogPage,
          },
          {
            id: 'admin-category-new',
            path: 'catalog/categories/new',
            loader: source(categoryFormLoader),
            action: source(categoryFormAction),
            Component: CategoryFormPage,
          },
          {
            id: 'admin-category',
            path: 'catalog/categories/:id',
            loader: source(categoryFormLoader),
            action: source(categoryFormAction),
            Component: CategoryFormPage,
          },
          {
            id: 'admin-product-new',
            path: 'catalog/products/new',
            loader: source(productFormLoader),
            action: source(productFormAction),
            Component: ProductFormPage,
          },
          {
            id: 'admin-product',
            path: 'catalog/products/:id',
            loader: source(productFormLoader),
            action: source(productFormAction),
            Component: ProductFormPage,
          },
          {
            id: 'admin-production',
            path: 'production',
            loader: source(productionLoader),
            action: source(productionAction),
            Component: ProductionPage,
          },
          { id: 'admin-factory', path: 'factory', loader: source(factoryLoader), Component: FactoryPage },
          { id: 'admin-orders', path: 'orders', loader: source(ordersLoader), Component: OrdersPage },
          {
            id: 'admin-order',
            path: 'orders/:id',
            loader: source(orderLoader),
            action: source(orderAction),
            Component: AdminOrderPage,
          },
          { id: 'admin-stock', path: 'stock', loader: source(stockLoader), Component: StockPage },
          {
            id: 'admin-operations',
            path: 'operations',
            loader: source(operationsLoader),
            action: source(operationsAction),
            Component: OperationsPage,
          },
          { id: 'admin-audit', path: 'audit', loader: source(auditLoader), Component: AuditPage },
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
