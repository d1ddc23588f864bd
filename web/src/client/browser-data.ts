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

/** An answer of the API that is not a success, with its HTTP status and `{ error, message, details }`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: string;
  message?: string;
  details?: unknown;
}

let csrfToken: Promise<string> | undefined;

/** The session's CSRF token, fetched once (lazily) and kept; forgotten when the API refuses it. */
function csrf(): Promise<string> {
  csrfToken ??= getJson<SessionView>('/api/session').then((session) => session.csrfToken);
  csrfToken.catch(() => {
    csrfToken = undefined;
  });
  return csrfToken;
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  return new ApiError(
    response.status,
    body.error ?? 'HTTP_ERROR',
    body.message ?? `The server answered ${response.status}`,
    body.details,
  );
}

async function call(method: string, url: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'GET') return fetch(url, { headers, credentials: 'same-origin' });
  if (body !== undefined) headers['content-type'] = 'application/json';
  const send = async () =>
    fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { ...headers, 'x-csrf-token': await csrf() },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const response = await send();
  if (response.status !== 403) return response;
  const refused = (await response
    .clone()
    .json()
    .catch(() => ({}))) as ErrorBody;
  if (!refused.error?.includes('CSRF')) return response;
  // The session changed since the token was fetched (signed in in another tab): one fresh try.
  csrfToken = undefined;
  return send();
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

async function getJson<T>(url: string): Promise<T> {
  return json<T>(await call('GET', url));
}

/** null for a 404, else the body (or the thrown ApiError). */
async function getOrNull<T>(url: string): Promise<T | null> {
  const response = await call('GET', url);
  if (response.status === 404) return null;
  return json<T>(response);
}

const path = encodeURIComponent;

/** The loaders' and actions' data source in the browser: the app's own JSON API. */
export const browserData: StorefrontData = {
  async session() {
    const session = await getJson<SessionView>('/api/session');
    csrfToken = Promise.resolve(session.csrfToken);
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
  async requestCancellation(orderId) {
    const response = await call('POST', `/api/orders/${path(orderId)}/cancellation`);
    if (!response.ok) throw await errorOf(response);
  },
};
