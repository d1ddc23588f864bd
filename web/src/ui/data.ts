import type { SessionUser } from '../auth/user';
import type { Product, ProductPage, ProductQuery } from '../products/product';

/** What every page knows about the visitor: who they are and the CSRF token for its forms. */
export interface SessionView {
  user: SessionUser | null;
  csrfToken: string;
}

/**
 * Where route loaders get their data. The server reads Mongo and the session directly; the browser
 * calls the JSON API. Keeping loaders behind this interface keeps server code out of the client bundle.
 */
export interface StorefrontData {
  session(): Promise<SessionView>;
  listProducts(query: ProductQuery): Promise<ProductPage>;
  getProduct(id: string): Promise<Product | null>;
}
