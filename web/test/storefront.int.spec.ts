import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HYDRATION_DATA_ID } from '../src/ui/hydration';
import { closeTestApp, createTestApp, getTestApp, seedProducts, type TestApp } from './helper';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await getTestApp();
  await seedProducts(testApp.db, [
    { _id: 'chair-1', heading: 'Oak Chair', category: 'chairs', amount: 4999, position: 'hero' },
    { _id: 'chair-2', heading: 'Pine Chair', category: 'chairs', amount: 2999 },
    { _id: 'table-1', heading: 'Walnut Table', category: 'tables', amount: 19900 },
    // Markup in data must stay data: in the HTML and in the hydration JSON.
    { _id: 'lamp-1', heading: 'Lamp </script><script>alert(1)</script>', category: 'lamps', amount: 1500 },
  ]);
});

afterAll(closeTestApp);

function hydrationJson(html: string): string {
  const match = new RegExp(
    `<script type="application/json" id="${HYDRATION_DATA_ID}">([\\s\\S]*?)</script>`,
  ).exec(html);
  if (!match?.[1]) throw new Error('no hydration data in the page');
  return match[1];
}

describe('home page', () => {
  it('streams the server-rendered catalog with the seeded products', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.body).toMatch(/^<!doctype html>/);
    for (const heading of ['Oak Chair', 'Pine Chair', 'Walnut Table'])
      expect(response.body).toContain(heading);
    expect(response.body).toContain('€49.99');
    expect(response.body).toContain('href="/products/chair-1"');
    expect(response.body).toContain('<script type="module" src="/assets/client.js"');
    expect(response.body).toContain('>Sign in</a>');
  });

  it('escapes markup from the catalog in the HTML and in the hydration data', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).toContain('Lamp &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const json = hydrationJson(response.body);
    expect(json).not.toMatch(/[<>]/);
    const data = JSON.parse(json) as { loaderData: { home: { catalog: { total: number } } } };
    expect(data.loaderData.home.catalog.total).toBe(4);
  });

  it('shows an empty-state text when the catalog is empty', async () => {
    const empty = await createTestApp(testApp.stack);
    try {
      const response = await empty.app.inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('No products yet.');
    } finally {
      await empty.close();
    }
  });
});

describe('catalog pages', () => {
  it('links to the next and previous pages of a large catalog', async () => {
    const large = await createTestApp(testApp.stack);
    try {
      await seedProducts(
        large.db,
        Array.from({ length: 50 }, (_, i) => ({
          _id: `p-${i}`,
          heading: `Item ${String(i).padStart(2, '0')}`,
        })),
      );
      const first = await large.app.inject({ method: 'GET', url: '/' });
      expect(first.body.match(/data-testid="product-card"/g)).toHaveLength(48);
      expect(first.body).toContain('href="/?offset=48"');
      expect(first.body).not.toContain('Previous page');
      const second = await large.app.inject({ method: 'GET', url: '/?offset=48' });
      expect(second.body.match(/data-testid="product-card"/g)).toHaveLength(2);
      expect(second.body).toContain('Item 49');
      expect(second.body).toContain('href="/?offset=0"');
    } finally {
      await large.close();
    }
  });
});

describe('product page', () => {
  it('renders the product and streams the related products into a Suspense boundary', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/products/chair-1' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<h1>Oak Chair</h1>');
    expect(response.body).toContain('Loading suggestions…'); // the fallback went out with the shell…
    expect(response.body).toMatch(/<div hidden id="S:0">.*Pine Chair/s); // …and the boundary followed
    expect(response.body).not.toMatch(/<div hidden id="S:0">.*Walnut Table/s); // other categories stay out
    const data = JSON.parse(hydrationJson(response.body)) as {
      loaderData: { product: { related: { $settled: string; value: { id: string }[] } } };
    };
    expect(data.loaderData.product.related).toMatchObject({
      $settled: 'resolved',
      value: [{ id: 'chair-2' }],
    });
  });

  it('answers 404 with the not-found page for an unknown product', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/products/no-such-product' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<h1>Not found</h1>');
    expect(response.body).toContain('>Sign in</a>'); // still inside the layout
    const data = JSON.parse(hydrationJson(response.body)) as { errors: Record<string, { status: number }> };
    expect(data.errors.pages?.status).toBe(404);
  });
});

describe('images', () => {
  it('streams an uploaded blob with its content type', async () => {
    const bytes = Buffer.from('\x89PNG\r\n\x1a\n not really a png, but bytes all the same');
    await testApp.app.blob
      .getBlockBlobClient('products/chair-1.png')
      .uploadData(bytes, { blobHTTPHeaders: { blobContentType: 'image/png' } });
    const response = await testApp.app.inject({ method: 'GET', url: '/images/products/chair-1.png' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['cache-control']).toBe('public, max-age=86400');
    expect(response.rawPayload.equals(bytes)).toBe(true);
  });

  it('answers a missing image with a JSON 404', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/images/missing.png' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'NOT_FOUND', message: 'Image not found' });
  });

  it('rejects a blob name that climbs out of the container', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/images/a/..%2F..%2Fsecret' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'VALIDATION_FAILED' });
  });

  it('creates its container idempotently', async () => {
    const again = await createTestApp(testApp.stack, { BLOB_CONTAINER: testApp.config.BLOB_CONTAINER });
    try {
      expect(await again.app.blob.exists()).toBe(true);
    } finally {
      await again.close();
    }
  });
});

const CLIENT_BUNDLE = fileURLToPath(new URL('../dist/public/assets/client.js', import.meta.url));

describe('browser bundle', () => {
  it.skipIf(!existsSync(CLIENT_BUNDLE))('is served at /assets/client.js', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/assets/client.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
  });
});
