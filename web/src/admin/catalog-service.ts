import {
  type CatalogChange,
  type CatalogDocument,
  type CategoryDocument,
  Errors,
  isDuplicateKey,
  PRODUCTS,
  type ProductDocument,
  withDetails,
} from '@az-shop/common';
import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import type { TSchema } from 'typebox';
import { checkInput, invalidInput } from '../forms/validate';
import type { Actor } from './actor';
import type { AuditLog } from './audit';
import {
  ArchiveInput,
  CATALOG_HINTS,
  CategoryEdit,
  NewCategory,
  NewProduct,
  ProductEdit,
} from './catalog-inputs';

export interface AdminCategoryView {
  id: string;
  heading: string;
  description?: string;
  position?: number;
  version: number;
  archived: boolean;
  lastChange?: { action: string; by: string; at: string };
}

export interface AdminProductView {
  id: string;
  categoryId: string;
  heading: string;
  description: string;
  price: { amount: number; currency: string };
  position: 'hero' | 'highlight' | 'normal';
  imagePath?: string;
  version: number;
  archived: boolean;
  lastChange?: { action: string; by: string; at: string };
}

type Kind = 'category' | 'product';

/** The catalog as the back office sees and changes it: archived documents included, every change audited. */
export interface AdminCatalog {
  listCategories(): Promise<AdminCategoryView[]>;
  listProducts(): Promise<AdminProductView[]>;
  category(id: string): Promise<AdminCategoryView>;
  product(id: string): Promise<AdminProductView>;
  createCategory(actor: Actor, input: unknown): Promise<AdminCategoryView>;
  editCategory(actor: Actor, id: string, input: unknown): Promise<AdminCategoryView>;
  createProduct(actor: Actor, input: unknown): Promise<AdminProductView>;
  editProduct(actor: Actor, id: string, input: unknown): Promise<AdminProductView>;
  /** 404 for an unknown product, 409 when `version` is not its current one; checked before an upload. */
  expectProductVersion(id: string, version: number): Promise<void>;
  /** Points the product at an uploaded image blob (`product.image`), like an edit: versioned, audited. */
  setProductImage(actor: Actor, id: string, version: number, imagePath: string): Promise<AdminProductView>;
  /** Takes it off the storefront (`archived`) or puts it back; orders keep their lines either way. */
  setArchived(actor: Actor, kind: Kind, id: string, archived: boolean, input: unknown): Promise<void>;
}

function lastChangeView(change: CatalogChange | undefined) {
  return change && { action: change.action, by: change.email ?? change.sub, at: change.at.toISOString() };
}

export function toAdminCategory(doc: CategoryDocument): AdminCategoryView {
  return {
    id: doc._id,
    heading: doc.heading,
    ...(doc.description !== undefined && { description: doc.description }),
    ...(doc.position !== undefined && { position: doc.position }),
    version: doc.version ?? 0,
    archived: doc.archivedAt !== undefined,
    ...(doc.lastChange && { lastChange: lastChangeView(doc.lastChange) }),
  };
}

export function toAdminProduct(doc: ProductDocument): AdminProductView {
  return {
    id: doc._id,
    categoryId: doc.categoryId,
    heading: doc.heading,
    description: doc.description,
    price: { amount: doc.price.amount, currency: doc.price.currency },
    position: doc.position,
    ...(doc.imagePath && { imagePath: doc.imagePath }),
    version: doc.version ?? 0,
    archived: doc.archivedAt !== undefined,
    ...(doc.lastChange && { lastChange: lastChangeView(doc.lastChange) }),
  };
}

/** Documents seeded before the back office have no version: they count as version 0. */
function versionIs(version: number): Filter<CatalogDocument> {
  return version === 0 ? { $or: [{ version: 0 }, { version: { $exists: false } }] } : { version };
}

function parse<S extends TSchema>(schema: S, input: unknown) {
  const checked = checkInput(schema, input, CATALOG_HINTS);
  if (!checked.ok) throw invalidInput(checked.problems);
  return checked.value;
}

const LABEL: Record<Kind, string> = { category: 'Category', product: 'Product' };

export function adminCatalog(db: Db, audit: AuditLog, now = () => new Date()): AdminCatalog {
  const catalog = db.collection<CatalogDocument>(PRODUCTS);
  const categories = catalog as unknown as Collection<CategoryDocument>;
  const products = catalog as unknown as Collection<ProductDocument>;

  function change(actor: Actor, action: string, at: Date): CatalogChange {
    return { action, sub: actor.sub, ...(actor.email && { email: actor.email }), at };
  }

  async function recordChange(actor: Actor, doc: CatalogDocument, changes: Record<string, unknown>) {
    const { lastChange } = doc;
    if (!lastChange) return;
    await audit.record({
      _id: `${doc.kind}:${doc._id}:v${doc.version ?? 0}`,
      at: lastChange.at,
      actor,
      action: lastChange.action,
      target: { kind: doc.kind, id: doc._id },
      changes,
    });
  }

  async function find(kind: Kind, id: string): Promise<CatalogDocument> {
    const doc = await catalog.findOne({ _id: id, kind });
    if (!doc) throw new Errors.NotFound(LABEL[kind]);
    return doc;
  }

  const view = (doc: CatalogDocument) =>
    doc.kind === 'category' ? toAdminCategory(doc) : toAdminProduct(doc);

  function staleError(kind: Kind, current: CatalogDocument, basedOn: number) {
    return withDetails(
      new Errors.Conflict(
        `This ${kind} was changed by someone else since you opened it (version ${current.version ?? 0}, yours ${basedOn}); here are the current values`,
      ),
      { current: view(current) },
    );
  }

  /**
   * One conditional write: applied only to the version the edit was based on. Otherwise 404 for a
   * document that does not exist, or 409 with the current values (someone else saved in between).
   */
  async function update(
    actor: Actor,
    kind: Kind,
    id: string,
    basedOn: number,
    action: string,
    set: Record<string, unknown>,
    unset: Record<string, ''> = {},
  ): Promise<CatalogDocument> {
    const at = now();
    const updated = await catalog.findOneAndUpdate(
      { _id: id, kind, ...versionIs(basedOn) } as Filter<CatalogDocument>,
      {
        $set: { ...set, updatedAt: at, lastChange: change(actor, action, at) },
        ...(Object.keys(unset).length > 0 && { $unset: unset }),
        $inc: { version: 1 },
      } as UpdateFilter<CatalogDocument>,
      { returnDocument: 'after' },
    );
    if (!updated) throw staleError(kind, await find(kind, id), basedOn);
    await recordChange(actor, updated, {
      ...set,
      ...Object.fromEntries(Object.keys(unset).map((k) => [k, null])),
    });
    return updated;
  }

  async function insert(actor: Actor, doc: CatalogDocument, changes: Record<string, unknown>) {
    try {
      await catalog.insertOne(doc);
    } catch (error) {
      if (isDuplicateKey(error))
        throw new Errors.Conflict(`A ${doc.kind} with the id ${doc._id} exists already`);
      throw error;
    }
    await recordChange(actor, doc, changes);
  }

  return {
    async listCategories() {
      const docs = await categories
        .find({ kind: 'category' })
        .sort({ position: 1, heading: 1, _id: 1 })
        .toArray();
      return docs.map(toAdminCategory);
    },
    async listProducts() {
      const docs = await products
        .find({ kind: 'product' })
        .sort({ partition_key: 1, heading: 1, _id: 1 })
        .toArray();
      return docs.map(toAdminProduct);
    },
    category: async (id) => toAdminCategory((await find('category', id)) as CategoryDocument),
    product: async (id) => toAdminProduct((await find('product', id)) as ProductDocument),

    async createCategory(actor, input) {
      const { id, ...fields } = parse(NewCategory, input);
      const at = now();
      const doc: CategoryDocument = {
        _id: id,
        partition_key: id,
        kind: 'category',
        ...fields,
        version: 1,
        lastChange: change(actor, 'category.create', at),
      };
      await insert(actor, doc, fields);
      return toAdminCategory(doc);
    },

    async editCategory(actor, id, input) {
      const { version, description, position, ...fields } = parse(CategoryEdit, input);
      const set = {
        ...fields,
        ...(description !== undefined && { description }),
        ...(position !== undefined && { position }),
      };
      const unset: Record<string, ''> = {
        ...(description === undefined && { description: '' }),
        ...(position === undefined && { position: '' }),
      };
      return toAdminCategory(
        (await update(actor, 'category', id, version, 'category.edit', set, unset)) as CategoryDocument,
      );
    },

    async createProduct(actor, input) {
      const { id, categoryId, priceAmount, currency, ...fields } = parse(NewProduct, input);
      const category = await categories.findOne({ _id: categoryId, kind: 'category' });
      if (!category || category.archivedAt)
        throw invalidInput([{ path: '/categoryId', message: 'No such category' }]);
      const at = now();
      const doc: ProductDocument = {
        _id: id,
        partition_key: categoryId,
        kind: 'product',
        categoryId,
        ...fields,
        price: { amount: priceAmount, currency },
        updatedAt: at,
        version: 1,
        lastChange: change(actor, 'product.create', at),
      };
      await insert(actor, doc, { categoryId, ...fields, price: doc.price });
      return toAdminProduct(doc);
    },

    async editProduct(actor, id, input) {
      const { version, priceAmount, currency, ...fields } = parse(ProductEdit, input);
      const set = { ...fields, price: { amount: priceAmount, currency } };
      return toAdminProduct(
        (await update(actor, 'product', id, version, 'product.edit', set)) as ProductDocument,
      );
    },

    async expectProductVersion(id, version) {
      const current = await find('product', id);
      if ((current.version ?? 0) !== version) throw staleError('product', current, version);
    },

    async setProductImage(actor, id, version, imagePath) {
      return toAdminProduct(
        (await update(actor, 'product', id, version, 'product.image', { imagePath })) as ProductDocument,
      );
    },

    async setArchived(actor, kind, id, archived, input) {
      const { version } = parse(ArchiveInput, input);
      if (kind === 'category' && archived) {
        const live = await products.countDocuments({
          kind: 'product',
          partition_key: id,
          archivedAt: { $exists: false },
        });
        if (live > 0)
          throw new Errors.Conflict(`This category still has ${live} product(s) on sale: archive them first`);
      }
      const action = `${kind}.${archived ? 'archive' : 'restore'}`;
      if (archived) await update(actor, kind, id, version, action, { archivedAt: now() });
      else await update(actor, kind, id, version, action, {}, { archivedAt: '' });
    },
  };
}
