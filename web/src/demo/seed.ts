import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isDuplicateKey, type Logger } from '@az-shop/common';
import {
  CategoryDocument,
  PRODUCTION_REQUESTS,
  PRODUCTS,
  ProductDocument,
  ProductionRequestDocument,
  validateDocument,
} from '@az-shop/common/schemas';
import type { ContainerClient } from '@azure/storage-blob';
import type { Collection, Db, OptionalUnlessRequiredId } from 'mongodb';
import type { TSchema } from 'typebox';
import {
  DEMO_CATEGORIES,
  DEMO_IMAGE_FOLDER,
  DEMO_PRODUCTS,
  type DemoProduct,
  demoImageFile,
  demoImagePath,
  demoProductDocument,
} from './catalog';
import { findDemoImagesDir, uploadImageOnce } from './images';

export interface SeedDemoShopOptions {
  db: Db;
  /** The product-image container (web's `app.blob`); created when missing. */
  container: ContainerClient;
  logger: Logger;
  /** Where the factory delivers the demo stock. */
  warehouse: string;
  /** Folder of the SVGs; by default `web/demo-images`, found above this module. */
  imagesDir?: string;
  /** Stamped on the production requests; a repeat keeps the first seed's. */
  now?: Date;
}

/** What this call wrote: all zeros when the demo shop was already there. */
export interface DemoSeedResult {
  categories: number;
  products: number;
  productionRequests: number;
  images: number;
}

export const DEMO_REQUESTED_BY = 'demo-seed';

export function demoProductionRequestId(productId: string): string {
  return `demo-${productId}`;
}

function demoProductionRequest(product: DemoProduct, warehouse: string, requestedAt: Date) {
  return {
    _id: demoProductionRequestId(product.id),
    partition_key: product.id,
    productId: product.id,
    warehouse,
    qty: product.stock,
    requestedAt,
    requestedBy: DEMO_REQUESTED_BY,
  };
}

/** A demo document that does not match its schema is a bug in the seed: stop before writing anything. */
function checked<T>(schema: TSchema, document: T & { _id: string }): T & { _id: string } {
  const result = validateDocument<T>(schema, document);
  if (!result.ok) throw new Error(`demo seed: ${document._id}: ${result.reason}`);
  return document;
}

/** Inserts unless a document with that `_id` exists: deterministic ids make the seed repeatable. */
async function insertOnce<T extends { _id: string }>(
  collection: Collection<T>,
  document: T,
): Promise<boolean> {
  try {
    await collection.insertOne(document as OptionalUnlessRequiredId<T>);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

async function countWritten(writes: Promise<boolean>[]): Promise<number> {
  return (await Promise.all(writes)).filter(Boolean).length;
}

/**
 * Whether every demo document and image is there already: three reads, instead of an insert attempt
 * per document and a HEAD per image (35 round trips on each start of web, which `npm run dev` restarts
 * on every server change). Anything missing, or a read failing, runs the full seed.
 */
async function demoShopPresent(
  db: Db,
  container: ContainerClient,
  want: { catalogIds: string[]; requestIds: string[]; blobNames: string[] },
): Promise<boolean> {
  const listed = async () => {
    const names = new Set<string>();
    for await (const blob of container.listBlobsFlat({ prefix: `${DEMO_IMAGE_FOLDER}/` }))
      names.add(blob.name);
    return names;
  };
  try {
    const [catalog, requests, blobs] = await Promise.all([
      db.collection<{ _id: string }>(PRODUCTS).countDocuments({ _id: { $in: want.catalogIds } }),
      db.collection<{ _id: string }>(PRODUCTION_REQUESTS).countDocuments({ _id: { $in: want.requestIds } }),
      listed(),
    ]);
    return (
      catalog === want.catalogIds.length &&
      requests === want.requestIds.length &&
      want.blobNames.every((name) => blobs.has(name))
    );
  } catch {
    return false;
  }
}

/**
 * Fills an empty shop with demo categories, products (each with its SVG in the blob container) and
 * production requests, so the factory builds some stock. Safe to repeat and to run from several
 * instances: what exists is left as it is (so an edited demo product keeps the edit).
 */
export async function seedDemoShop(options: SeedDemoShopOptions): Promise<DemoSeedResult> {
  const { db, container, logger, warehouse } = options;
  const imagesDir = options.imagesDir ?? findDemoImagesDir();
  const requestedAt = options.now ?? new Date();
  const categories = DEMO_CATEGORIES.map((category) => checked<CategoryDocument>(CategoryDocument, category));
  const categoryIds = new Set(categories.map((category) => category._id));
  const products = DEMO_PRODUCTS.map((product) => {
    if (!categoryIds.has(product.categoryId))
      throw new Error(`demo seed: ${product.id}: unknown category ${product.categoryId}`);
    return checked<ProductDocument>(ProductDocument, demoProductDocument(product));
  });
  const requests = DEMO_PRODUCTS.map((product) =>
    checked<ProductionRequestDocument>(
      ProductionRequestDocument,
      demoProductionRequest(product, warehouse, requestedAt),
    ),
  );

  const files = DEMO_PRODUCTS.map((product) => ({
    blobName: demoImagePath(product),
    file: join(imagesDir, demoImageFile(product)),
  }));
  const missing = files.filter(({ file }) => !existsSync(file));
  if (missing.length)
    throw new Error(`demo seed: missing images ${missing.map(({ file }) => file).join(', ')}`);

  const nothing: DemoSeedResult = { categories: 0, products: 0, productionRequests: 0, images: 0 };
  const present = await demoShopPresent(db, container, {
    catalogIds: [...categories, ...products].map((document) => document._id),
    requestIds: requests.map((request) => request._id),
    blobNames: files.map(({ blobName }) => blobName),
  });
  if (present) return nothing;

  // Images first, so no product ever points at a missing one.
  await container.createIfNotExists();
  const images = await countWritten(
    files.map(({ blobName, file }) => uploadImageOnce(container, blobName, file)),
  );
  const catalog = db.collection<CategoryDocument | ProductDocument>(PRODUCTS);
  const result: DemoSeedResult = {
    images,
    categories: await countWritten(categories.map((category) => insertOnce(catalog, category))),
    products: await countWritten(products.map((product) => insertOnce(catalog, product))),
    // Last: the factory reacts to these, and the products they name now exist.
    productionRequests: await countWritten(
      requests.map((request) =>
        insertOnce(db.collection<ProductionRequestDocument>(PRODUCTION_REQUESTS), request),
      ),
    ),
  };
  logger.info({ written: result, warehouse }, 'demo shop seeded');
  return result;
}
