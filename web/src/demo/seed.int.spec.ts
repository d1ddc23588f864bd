import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CatalogDocument,
  PRODUCTION_REQUESTS,
  PRODUCTS,
  ProductionRequestDocument,
  validateDocument,
} from '@az-shop/common/schemas';
import { silentLogger } from '@az-shop/common/testing';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Azurite, startAzurite } from '../../test/azurite';
import { startTestMongo, type TestMongo } from '../../test/mongo';
import { DEMO_CATEGORIES, DEMO_PRODUCTS } from './catalog';
import { seedDemoShop } from './seed';

let mongo: TestMongo;
let azurite: Azurite;
let client: MongoClient;

beforeAll(async () => {
  [mongo, azurite] = await Promise.all([startTestMongo(), startAzurite()]);
  client = await MongoClient.connect(mongo.uri);
});

afterAll(async () => {
  await client?.close();
  await Promise.allSettled([mongo?.stop(), azurite?.stop()]);
});

/** A database and a (not yet created) container of its own for each test. */
function freshShop(): { db: Db; container: ContainerClient } {
  const suffix = randomBytes(4).toString('hex');
  const db = client.db(`demo_${suffix}`);
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    `demo-${suffix}`,
  );
  return { db, container };
}

async function snapshot(db: Db, container: ContainerClient) {
  const blobs = [];
  for await (const blob of container.listBlobsFlat()) {
    blobs.push({ name: blob.name, etag: blob.properties.etag, type: blob.properties.contentType });
  }
  return {
    catalog: await db.collection(PRODUCTS).find().sort({ _id: 1 }).toArray(),
    requests: await db.collection(PRODUCTION_REQUESTS).find().sort({ _id: 1 }).toArray(),
    blobs,
  };
}

describe('seedDemoShop', () => {
  it('seeds categories, products, images and production requests, and a repeat changes nothing', async () => {
    const { db, container } = freshShop();
    const options = { db, container, logger: silentLogger, warehouse: 'main' };

    const first = await seedDemoShop(options);
    expect(first).toEqual({
      categories: DEMO_CATEGORIES.length,
      products: DEMO_PRODUCTS.length,
      productionRequests: DEMO_PRODUCTS.length,
      images: DEMO_PRODUCTS.length,
    });
    const before = await snapshot(db, container);

    const second = await seedDemoShop({ ...options, now: new Date(Date.now() + 60_000) });
    expect(second).toEqual({ categories: 0, products: 0, productionRequests: 0, images: 0 });
    const after = await snapshot(db, container);
    expect(after).toEqual(before);
    expect(after.catalog).toHaveLength(DEMO_CATEGORIES.length + DEMO_PRODUCTS.length);
    expect(after.requests).toHaveLength(DEMO_PRODUCTS.length);
    expect(after.blobs).toHaveLength(DEMO_PRODUCTS.length);
  });

  it('given a seeded shop, then a repeat only reads the database: no insert attempt', async () => {
    const { db, container } = freshShop();
    await seedDemoShop({ db, container, logger: silentLogger, warehouse: 'main' });
    const watched = await MongoClient.connect(mongo.uri, { monitorCommands: true });
    const commands: string[] = [];
    watched.on('commandStarted', (event) => commands.push(event.commandName));
    try {
      const result = await seedDemoShop({
        db: watched.db(db.databaseName),
        container,
        logger: silentLogger,
        warehouse: 'main',
      });
      expect(result).toEqual({ categories: 0, products: 0, productionRequests: 0, images: 0 });
      expect(commands.filter((name) => name !== 'aggregate')).toEqual([]);
    } finally {
      await watched.close();
    }
  });

  it('given a shop missing one image and one production request, then the repeat puts back just those', async () => {
    const { db, container } = freshShop();
    const options = { db, container, logger: silentLogger, warehouse: 'main' };
    await seedDemoShop(options);
    const [product] = DEMO_PRODUCTS;
    await container.deleteBlob(`demo/${product!.id}.svg`);
    await db.collection(PRODUCTION_REQUESTS).deleteOne({ _id: `demo-${product!.id}` } as never);

    expect(await seedDemoShop(options)).toEqual({
      categories: 0,
      products: 0,
      productionRequests: 1,
      images: 1,
    });
    expect(await container.getBlobClient(`demo/${product!.id}.svg`).exists()).toBe(true);
  });

  it('lets two instances seed at once: each document and blob is written by exactly one', async () => {
    const { db, container } = freshShop();
    const options = { db, container, logger: silentLogger, warehouse: 'main' };
    const [a, b] = await Promise.all([seedDemoShop(options), seedDemoShop(options)]);
    expect(a.products + b.products).toBe(DEMO_PRODUCTS.length);
    expect(a.productionRequests + b.productionRequests).toBe(DEMO_PRODUCTS.length);
    expect(a.images + b.images).toBe(DEMO_PRODUCTS.length);
    expect((await snapshot(db, container)).blobs).toHaveLength(DEMO_PRODUCTS.length);
  });

  it('writes only documents that pass the common schemas', async () => {
    const { db, container } = freshShop();
    await seedDemoShop({ db, container, logger: silentLogger, warehouse: 'north' });
    const { catalog, requests } = await snapshot(db, container);
    for (const document of catalog)
      expect(validateDocument(CatalogDocument, document)).toMatchObject({ ok: true });
    for (const document of requests) {
      expect(validateDocument(ProductionRequestDocument, document)).toMatchObject({ ok: true });
      expect(document).toMatchObject({ _id: `demo-${document.productId}`, warehouse: 'north' });
      expect(document.qty).toBeGreaterThanOrEqual(3);
      expect(document.qty).toBeLessThanOrEqual(8);
    }
  });

  it('stores each product’s SVG under its imagePath with the SVG content type', async () => {
    const { db, container } = freshShop();
    await seedDemoShop({ db, container, logger: silentLogger, warehouse: 'main' });
    const products = await db.collection(PRODUCTS).find({ kind: 'product' }).toArray();
    expect(products).toHaveLength(DEMO_PRODUCTS.length);
    for (const product of products) {
      expect(product.imagePath).toBe(`demo/${product._id}.svg`);
      const blob = container.getBlobClient(String(product.imagePath));
      const properties = await blob.getProperties();
      expect(properties.contentType).toBe('image/svg+xml');
      const body = (await blob.downloadToBuffer()).toString('utf8');
      expect(body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox=/);
    }
  });

  it('fails before writing anything when the images are missing', async () => {
    const { db, container } = freshShop();
    const empty = await mkdtemp(join(tmpdir(), 'demo-images-'));
    try {
      await expect(
        seedDemoShop({ db, container, logger: silentLogger, warehouse: 'main', imagesDir: empty }),
      ).rejects.toThrow(/missing images/);
      expect(await db.collection(PRODUCTS).countDocuments()).toBe(0);
      expect(await container.exists()).toBe(false);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
