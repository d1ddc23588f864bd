import { toFieldErrors } from '../forms/field-errors';
import type {
  AdminCategoryView,
  AdminData,
  AdminOrderDetail,
  AdminProductView,
  AdminResult,
  AuditEntryView,
  FactoryBoard,
  OrderBoard,
  ParkedView,
  ProcessorView,
  ProductionRequestView,
  StockPoint,
  StockRow,
} from '../ui/admin/data';
import { isShownRefusal } from '../ui/admin/data';
import { call, errorOf, getJson, getOrNull } from './api';

const path = encodeURIComponent;

/** A change through the API: the body on success, a result for 400 / 409, else the thrown ApiError. */
async function change<T>(method: string, url: string, body: unknown, read: (r: Response) => Promise<T>) {
  const response = await call(method, url, body);
  if (response.ok) return { ok: true, value: await read(response) } satisfies AdminResult<T>;
  const error = await errorOf(response);
  if (!isShownRefusal(error.statusCode)) throw error;
  const current = (error.details as { current?: unknown } | undefined)?.current;
  const refused: AdminResult<T> = {
    ok: false,
    status: error.statusCode,
    message: error.message,
    fieldErrors: toFieldErrors(error.details),
    ...(current !== undefined && { current }),
  };
  return refused;
}

const asJson =
  <T>() =>
  async (response: Response) =>
    (await response.json()) as T;

/** The back office's page data in the browser: `/api/admin`. */
export const adminBrowserData: AdminData = {
  listCategories: () => getJson<AdminCategoryView[]>('/api/admin/catalog/categories'),
  listProducts: () => getJson<AdminProductView[]>('/api/admin/catalog/products'),
  getCategory: (id) => getOrNull<AdminCategoryView>(`/api/admin/catalog/categories/${path(id)}`),
  getProduct: (id) => getOrNull<AdminProductView>(`/api/admin/catalog/products/${path(id)}`),
  createCategory: (input) =>
    change('POST', '/api/admin/catalog/categories', input, asJson<AdminCategoryView>()),
  editCategory: (id, input) =>
    change('PUT', `/api/admin/catalog/categories/${path(id)}`, input, asJson<AdminCategoryView>()),
  createProduct: (input) => change('POST', '/api/admin/catalog/products', input, asJson<AdminProductView>()),
  editProduct: (id, input) =>
    change('PUT', `/api/admin/catalog/products/${path(id)}`, input, asJson<AdminProductView>()),
  setArchived: (kind, id, archived, version) =>
    change(
      'POST',
      `/api/admin/catalog/${kind === 'category' ? 'categories' : 'products'}/${path(id)}/${archived ? 'archive' : 'restore'}`,
      { version },
      async () => null,
    ),
  listAudit: ({ limit, before }) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before) query.set('before', before);
    return getJson<AuditEntryView[]>(`/api/admin/audit?${query}`);
  },
  listProcessors: async () =>
    (await getJson<{ processors: ProcessorView[] }>('/api/admin/operations')).processors,
  listParked: (limit) => getJson<ParkedView[]>(`/api/admin/operations/parked?limit=${limit}`),
  requestParked: (id, action) =>
    change('POST', `/api/admin/operations/parked/${path(id)}/${action}`, {}, async () => null),
  uploadProductImage: (id, version, image) =>
    change(
      'POST',
      `/api/admin/catalog/products/${path(id)}/image?version=${version}`,
      image,
      asJson<AdminProductView>(),
    ),
  listProductionRequests: (limit) =>
    getJson<ProductionRequestView[]>(`/api/admin/production-requests?limit=${limit}`),
  requestProduction: (input) =>
    change('POST', '/api/admin/production-requests', input, asJson<ProductionRequestView>()),
  cancelProductionRequest: (id) =>
    change('POST', `/api/admin/production-requests/${path(id)}/cancel`, {}, asJson<ProductionRequestView>()),
  factoryBoard: () => getJson<FactoryBoard>('/api/admin/factory/board'),
  orderBoard: () => getJson<OrderBoard>('/api/admin/orders/board'),
  getOrder: (id) => getOrNull<AdminOrderDetail>(`/api/admin/orders/${path(id)}`),
  cancelOrder: (id) => change('POST', `/api/admin/orders/${path(id)}/cancel`, {}, async () => null),
  listStock: () => getJson<StockRow[]>('/api/admin/stock'),
  stockHistory: async (productId, hours) =>
    (await getOrNull<{ points: StockPoint[] }>(`/api/admin/stock/${path(productId)}/history?hours=${hours}`))
      ?.points ?? null,
};
