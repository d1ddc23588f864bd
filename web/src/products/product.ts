/** A product as the storefront shows it; shared by the server, the API and the browser bundle. */
export interface Product {
  id: string;
  category: string;
  heading: string;
  description: string;
  /** `amount` is in minor units (cents) of `currency`. */
  price: { amount: number; currency: string };
  imagePath?: string;
  position: string;
}

export interface ProductPage {
  items: Product[];
  total: number;
}

export interface ProductQuery {
  limit: number;
  offset: number;
  category?: string;
}
