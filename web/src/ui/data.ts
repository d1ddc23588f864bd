import type { SessionUser } from '../auth/user';
import type { Product, ProductPage, ProductQuery } from '../products/product';
import type { AdminData } from './admin/data';

/** What every page knows about the visitor: who they are and the CSRF token for its forms. */
export interface SessionView {
  user: SessionUser | null;
  csrfToken: string;
}

/** A category of the catalog, as pages show it. */
export interface CategoryView {
  id: string;
  heading: string;
  description?: string;
}

/** Units that can be ordered now (Σ available over the warehouses' stock of the product). */
export interface AvailabilityView {
  productId: string;
  available: number;
}

export interface CartLineView {
  productId: string;
  heading: string;
  imagePath?: string;
  qty: number;
  /** Minor units of the cart's currency. */
  unitPrice: number;
  lineTotal: number;
}

export interface CartView {
  lines: CartLineView[];
  /** Σ qty. */
  count: number;
  /** Σ lineTotal, minor units. */
  total: number;
  currency: string;
}

export interface AddressInput {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postcode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface CheckoutInput {
  address: AddressInput;
  /** Generated once per checkout page; the same key twice places one order. */
  idempotencyKey: string;
}

/** Field name (`name`, `line1`, … or `cardNumber`, …) → what is wrong with it. */
export type FieldErrors = Record<string, string>;

export type CheckoutResult =
  | { ok: true; orderId: string }
  | { ok: false; message: string; fieldErrors: FieldErrors };

export interface PaymentInput {
  /** Generated once per payment page; the same key twice starts one payment attempt. */
  idempotencyKey: string;
}

/** A started attempt: the browser goes to the provider's page (`redirectUrl`) to pay. */
export type PaymentResult =
  | { ok: true; paymentId: string; redirectUrl: string }
  | { ok: false; message: string; fieldErrors: FieldErrors };

/** One entry of a fulfilment's stage history; times are ISO strings (JSON- and hydration-safe). */
export interface StageEntry {
  stage: string;
  at: string;
  note?: string;
}

/** What ordering says about an order (from `fulfilments`); null until ordering has seen the order. */
export interface FulfilmentView {
  stage: string;
  paid: boolean;
  payBy: string;
  history: StageEntry[];
  /** Before Shipped and not ended: a cancellation would be honoured. */
  cancellable: boolean;
  cancellationRefused?: string;
}

export interface OrderLineView {
  productId: string;
  heading: string;
  qty: number;
  unitPrice: number;
  lineTotal: number;
}

export interface PaymentView {
  id: string;
  /** pending: on the provider's page; duplicate: taken after another payment, so refunded. */
  status: 'pending' | 'authorized' | 'declined' | 'duplicate';
  at: string;
  /** Last four digits of the card. */
  last4?: string;
}

export interface OrderView {
  id: string;
  placedAt: string;
  /** Pay before this (ISO); the stock hold ends then. */
  payBy: string;
  lines: OrderLineView[];
  total: number;
  currency: string;
  deliveryAddress: AddressInput;
  fulfilment: FulfilmentView | null;
  payments: PaymentView[];
  /** An authorized payment exists. */
  paid: boolean;
  cancellationRequested: boolean;
}

export interface OrderSummaryView {
  id: string;
  placedAt: string;
  total: number;
  currency: string;
  itemCount: number;
  /** The fulfilment's stage, or `Placed` until ordering has seen the order. */
  stage: string;
  paid: boolean;
}

/**
 * Where route loaders and actions get their data. The server reads Mongo and the session directly;
 * the browser calls the JSON API. Keeping routes behind this interface keeps server code out of the
 * client bundle. Expected refusals (bad fields, a declined card) are results; anything else throws an
 * Error carrying the HTTP `statusCode` (401 signed out, 404 unknown, 409 not allowed now) — on the
 * server the `common` Errors, in the browser an error built from the API's `{ error, message }`.
 */
export interface StorefrontData {
  session(): Promise<SessionView>;
  listCategories(): Promise<CategoryView[]>;
  listProducts(query: ProductQuery): Promise<ProductPage>;
  getProduct(id: string): Promise<Product | null>;
  getAvailability(productId: string): Promise<AvailabilityView>;
  getCart(): Promise<CartView>;
  /** Σ qty in the cart (the header's count), cheaper than the whole cart. */
  cartCount(): Promise<number>;
  /** Adds `qty` to the product's line (creating it). */
  addToCart(productId: string, qty: number): Promise<CartView>;
  /** Sets the line's quantity; 0 removes it. */
  setCartQuantity(productId: string, qty: number): Promise<CartView>;
  checkout(input: CheckoutInput): Promise<CheckoutResult>;
  pay(orderId: string, input: PaymentInput): Promise<PaymentResult>;
  listOrders(): Promise<OrderSummaryView[]>;
  /** null when there is no such order of this user (someone else's order included). */
  getOrder(orderId: string): Promise<OrderView | null>;
  requestCancellation(orderId: string): Promise<void>;
  /** A new idempotency key for a form that places or pays (one per page shown). */
  newIdempotencyKey(): string;
  /** The back office's data (admins only: its calls answer 401 / 403 to anyone else). */
  admin: AdminData;
}
