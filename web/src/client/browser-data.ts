import type { Product, ProductPage } from '../products/product';
import type { SessionView, StorefrontData } from '../ui/data';

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** The loaders' data source in the browser: the app's own JSON API. */
export const browserData: StorefrontData = {
  session: () => getJson<SessionView>('/api/session'),
  listProducts: ({ limit, offset, category }) => {
    const query = new URLSearchParams({ limit: String(limit), offset: String(offset) });
    if (category) query.set('category', category);
    return getJson<ProductPage>(`/api/products?${query}`);
  },
  getProduct: async (id) => {
    const response = await fetch(`/api/products/${encodeURIComponent(id)}`, {
      headers: { accept: 'application/json' },
    });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`product ${id} answered ${response.status}`);
    return (await response.json()) as Product;
  },
};
