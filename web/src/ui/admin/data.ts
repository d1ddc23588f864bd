import type { BoardDelta, OrderBoard } from '../../admin/board';
import type { AdminCategoryView, AdminProductView } from '../../admin/catalog-service';
import type { BoardItem, FactoryBoard } from '../../admin/factory-board';
import type { ProcessorView } from '../../admin/operations';
import type { ParkedView } from '../../admin/operations-service';
import type { AdminOrderDetail } from '../../admin/order-detail';
import type { ProductionRequestView } from '../../admin/production-service';
import type { StockPoint, StockRow } from '../../admin/stock';
import type { FieldErrors } from '../data';

export type {
  AdminCategoryView,
  AdminOrderDetail,
  AdminProductView,
  BoardDelta,
  BoardItem,
  FactoryBoard,
  OrderBoard,
  ParkedView,
  ProcessorView,
  ProductionRequestView,
  StockPoint,
  StockRow,
};

export type ParkedAction = 'replay' | 'discard';

/** One entry of the audit log, as pages show it (times are ISO strings). */
export interface AuditEntryView {
  _id: string;
  at: string;
  actor: { sub: string; email?: string; name: string };
  action: string;
  target: { kind: string; id: string };
  changes?: Record<string, unknown>;
}

/**
 * An admin change either lands or is refused for a reason the form shows: bad fields (400), a stale
 * copy (409, with the values now in the database so the form can show them), a file too large (413)
 * or of the wrong kind (415). Who-are-you refusals (401, 403) and unknown ids (404) are thrown.
 */
export type AdminResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; message: string; fieldErrors: FieldErrors; current?: unknown };

/** Statuses an admin change answers as a result the form shows (the rest are thrown). */
export function isShownRefusal(status: number | undefined): status is number {
  return status !== undefined && status >= 400 && status < 500 && ![401, 403, 404].includes(status);
}

export type CatalogKind = 'category' | 'product';

/**
 * The back office's data for its pages, like `StorefrontData` for the storefront: on the server the
 * admin services (after the admin check), in the browser the `/api/admin` JSON API. Reads throw
 * Errors carrying `statusCode` (401 signed out, 403 not an admin); a missing document is null.
 */
export interface AdminData {
  listCategories(): Promise<AdminCategoryView[]>;
  listProducts(): Promise<AdminProductView[]>;
  getCategory(id: string): Promise<AdminCategoryView | null>;
  getProduct(id: string): Promise<AdminProductView | null>;
  createCategory(input: Record<string, unknown>): Promise<AdminResult<AdminCategoryView>>;
  editCategory(id: string, input: Record<string, unknown>): Promise<AdminResult<AdminCategoryView>>;
  createProduct(input: Record<string, unknown>): Promise<AdminResult<AdminProductView>>;
  editProduct(id: string, input: Record<string, unknown>): Promise<AdminResult<AdminProductView>>;
  setArchived(kind: CatalogKind, id: string, archived: boolean, version: number): Promise<AdminResult<null>>;
  listAudit(query: { limit: number; before?: string }): Promise<AuditEntryView[]>;
  /** Every processor's state: owners and buckets, lag, parked counts. */
  listProcessors(): Promise<ProcessorView[]>;
  /** Parked events, newest first. */
  listParked(limit: number): Promise<ParkedView[]>;
  /** Asks the event's processor to replay or discard it (409: not parked, or a request pending). */
  requestParked(id: string, action: ParkedAction): Promise<AdminResult<null>>;
  /** A new picture for the product (PNG, JPEG, WebP or AVIF, ≤ 5 MB), based on its `version`. */
  uploadProductImage(id: string, version: number, image: Blob): Promise<AdminResult<AdminProductView>>;
  /** Production requests, newest first. */
  listProductionRequests(limit: number): Promise<ProductionRequestView[]>;
  /** Asks the factory for `qty` (1–1,000) units of a product. */
  requestProduction(input: { productId: string; qty: number }): Promise<AdminResult<ProductionRequestView>>;
  /** Cancels a request the factory has not started (409 once it has). */
  cancelProductionRequest(id: string): Promise<AdminResult<ProductionRequestView>>;
  /** The factory board now (the page then follows `/api/admin/factory/events`). */
  factoryBoard(): Promise<FactoryBoard>;
  /** The order board now (the page then follows `/api/admin/orders/events`). */
  orderBoard(): Promise<OrderBoard>;
  /** Any user's order, or null. */
  getOrder(id: string): Promise<AdminOrderDetail | null>;
  /** Asks ordering to cancel it, naming this admin (409: not cancellable now, or already asked). */
  cancelOrder(id: string): Promise<AdminResult<null>>;
  listStock(): Promise<StockRow[]>;
  /** A product's available units over the last `hours`; null for a product nobody knows. */
  stockHistory(productId: string, hours: number): Promise<StockPoint[] | null>;
}
