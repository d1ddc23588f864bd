import { Errors } from '@az-shop/common';
import type { FastifyRequest } from 'fastify';
import { type Actor, actorOf } from '../admin/actor';
import { uploadProductImage } from '../admin/product-images';
import { isAdmin } from '../auth/user';
import { toFieldErrors } from '../forms/field-errors';
import { type AdminData, type AdminResult, isShownRefusal } from '../ui/admin/data';
import { statusOf } from '../ui/route-errors';

/** The admin services' expected refusals as results: bad fields (400) and stale copies (409). */
async function attempt<T>(run: () => Promise<T>): Promise<AdminResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const status = statusOf(error);
    if (!isShownRefusal(status)) throw error;
    const details = (error as { details?: unknown }).details;
    const current = (details as { current?: unknown } | undefined)?.current;
    return {
      ok: false,
      status,
      message: (error as Error).message,
      fieldErrors: toFieldErrors(details),
      ...(current !== undefined && { current }),
    };
  }
}

/**
 * The back office's page data on the server: the same services as `/api/admin`, behind the same
 * admin check (the page routes check it too, before rendering; this keeps a loader safe on its own).
 */
export function adminServerData(request: FastifyRequest): AdminData {
  const {
    adminCatalog,
    adminOperations,
    adminOrders,
    adminStock,
    audit,
    blob,
    factoryBoard,
    productionRequests,
  } = request.server;
  const admin = (): Actor => {
    if (!request.user) throw new Errors.Unauthorized();
    if (!isAdmin(request.user)) throw new Errors.Forbidden('The admin role is required');
    return actorOf(request.user);
  };
  /** A read for admins only; a missing document is null. */
  const read = async <T>(run: () => Promise<T>): Promise<T | null> => {
    admin();
    return run().catch((error: unknown) => {
      if (statusOf(error) === 404) return null;
      throw error;
    });
  };
  const list = async <T>(run: () => Promise<T[]>): Promise<T[]> => (await read(run)) ?? [];

  return {
    listCategories: () => list(() => adminCatalog.listCategories()),
    listProducts: () => list(() => adminCatalog.listProducts()),
    getCategory: (id) => read(() => adminCatalog.category(id)),
    getProduct: (id) => read(() => adminCatalog.product(id)),
    createCategory: async (input) => attempt(() => adminCatalog.createCategory(admin(), input)),
    editCategory: async (id, input) => attempt(() => adminCatalog.editCategory(admin(), id, input)),
    createProduct: async (input) => attempt(() => adminCatalog.createProduct(admin(), input)),
    editProduct: async (id, input) => attempt(() => adminCatalog.editProduct(admin(), id, input)),
    setArchived: async (kind, id, archived, version) =>
      attempt(async () => {
        await adminCatalog.setArchived(admin(), kind, id, archived, { version });
        return null;
      }),
    async listAudit({ limit, before }) {
      admin();
      const entries = await audit.list({ limit, ...(before && { before: new Date(before) }) });
      return entries.map(({ partition_key: _partition, at, ...entry }) => ({
        ...entry,
        at: at.toISOString(),
      }));
    },
    listProcessors: () => list(() => adminOperations.processors()),
    listParked: (limit) => list(() => adminOperations.parked({ limit })),
    requestParked: (id, action) =>
      attempt(async () => {
        await adminOperations.request(admin(), id, action);
        return null;
      }),
    uploadProductImage: async (id, version, image) =>
      attempt(async () =>
        uploadProductImage(adminCatalog, blob, {
          actor: admin(),
          productId: id,
          version,
          bytes: Buffer.from(await image.arrayBuffer()),
        }),
      ),
    listProductionRequests: (limit) => list(() => productionRequests.list({ limit })),
    requestProduction: (input) => attempt(() => productionRequests.create(admin(), input)),
    cancelProductionRequest: (id) => attempt(() => productionRequests.cancel(admin(), id)),
    factoryBoard: async () => {
      admin();
      return factoryBoard.latest();
    },
    orderBoard: async () => {
      admin();
      return adminOrders.board();
    },
    getOrder: (id) => read(() => adminOrders.detail(id)),
    cancelOrder: (id) =>
      attempt(async () => {
        await adminOrders.cancel(admin(), id);
        return null;
      }),
    listStock: () => list(() => adminStock.list()),
    stockHistory: async (productId, hours) =>
      (await read(() => adminStock.history(productId, hours)))?.points ?? null,
  };
}
