import { toFieldErrors } from '../forms/field-errors';
import type { Product, ProductPage } from '../products/product';
import type {
  AvailabilityView,
  CartView,
  CategoryView,
  CheckoutResult,
  OrderSummaryView,
  OrderView,
  PaymentResult,
  SessionView,
  StorefrontData,
} from '../ui/data';
import { adminBrowserData } from './admin-browser-data';
import { call, errorOf, getJson, getOrNull, json, rememberCsrfToken } from './api';

const path = encodeURIComponent;

/** The loaders' and actions' data source in the browser: the app's own JSON API. */
export const browserData: StorefrontData = {
  async session() {
    const session = await getJson<SessionView>('/api/session');
    rememberCsrfToken(session.csrfToken);
    return session;
  },
  listCategories: () => getJson<CategoryView[]>('/api/categories'),
  listProducts: ({ limit, offset, category }) => {
    const query = new URLSearchParams({ limit: String(limit), offset: String(offset) });
    if (category) query.set('category', category);
    return getJson<ProductPage>(`/api/products?${query}`);
  },
  getProduct: (id) => getOrNull<Product>(`/api/products/${path(id)}`),
  getAvailability: (productId) => getJson<AvailabilityView>(`/api/products/${path(productId)}/availability`),
  getCart: () => getJson<CartView>('/api/cart'),
  // The browser asks only after a form was sent (the root loader revalidates then); no API of its own.
  cartCount: async () => (await getJson<CartView>('/api/cart')).count,
  addToCart: async (productId, qty) =>
    json<CartView>(await call('POST', '/api/cart/lines', { productId, qty })),
  setCartQuantity: async (productId, qty) =>
    json<CartView>(await call('PUT', `/api/cart/lines/${path(productId)}`, { qty })),

  async checkout(input): Promise<CheckoutResult> {
    const response = await call('POST', '/api/checkout', input);
    if (response.ok) return { ok: true, orderId: ((await response.json()) as { orderId: string }).orderId };
    const error = await errorOf(response);
    if (error.statusCode === 400)
      return { ok: false, message: error.message, fieldErrors: toFieldErrors(error.details) };
    throw error;
  },

  async pay(orderId, input): Promise<PaymentResult> {
    const response = await call('POST', `/api/orders/${path(orderId)}/payments`, input);
    if (response.ok) {
      const { paymentId, redirectUrl } = (await response.json()) as {
        paymentId: string;
        redirectUrl: string;
      };
      return { ok: true, paymentId, redirectUrl };
    }
    const error = await errorOf(response);
    if (error.statusCode === 400)
      return { ok: false, message: error.message, fieldErrors: toFieldErrors(error.details) };
    throw error;
  },

  listOrders: () => getJson<OrderSummaryView[]>('/api/orders'),
  getOrder: (orderId) => getOrNull<OrderView>(`/api/orders/${path(orderId)}`),
  newIdempotencyKey: () => crypto.randomUUID(),
  async requestCancellation(orderId) {
    const response = await call('POST', `/api/orders/${path(orderId)}/cancellation`);
    if (!response.ok) throw await errorOf(response);
  },
  admin: adminBrowserData,
};
