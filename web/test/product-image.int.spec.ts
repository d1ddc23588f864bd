import { PRODUCTS } from '@az-shop/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUDIT } from '../src/admin/audit';
import { uploadProductImage } from '../src/admin/product-images';
import { closeTestApp, createTestApp, csrfFor, getTestApp, loginAs, type TestApp } from './helper';
import { avif, HTML, jpeg, png, SVG, webp } from './image-files';

let testApp: TestApp;
let admin: { cookie: string; token: string };
let shopper: { cookie: string; token: string };

const CSP = "default-src 'none'; sandbox";

beforeAll(async () => {
  testApp = await getTestApp();
  admin = await csrfFor(testApp.app, await loginAs(testApp.app, 'admin@example.com'));
  shopper = await csrfFor(testApp.app, await loginAs(testApp.app, 'shopper@example.com'));
  const create = (url: string, payload: Record<string, unknown>) =>
    testApp.app.inject({
      method: 'POST',
      url: `/api/admin/catalog${url}`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.token },
      payload,
    });
  expect((await create('/categories', { id: 'pictures', heading: 'Pictures' })).statusCode).toBe(201);
  for (const id of ['framed-print', 'poster', 'postcard'])
    expect(
      (
        await create('/products', {
          id,
          categoryId: 'pictures',
          heading: id,
          description: '',
          priceAmount: 100,
        })
      ).statusCode,
    ).toBe(201);
});

afterAll(closeTestApp);

interface Upload {
  product?: string;
  version?: number | string;
  type?: string;
  as?: 'admin' | 'shopper' | 'nobody';
  csrf?: boolean;
}

function upload(
  bytes: Buffer,
  { product = 'framed-print', version = 1, type = 'image/png', as = 'admin', csrf = true }: Upload = {},
) {
  const who = as === 'nobody' ? undefined : as === 'admin' ? admin : shopper;
  return testApp.app.inject({
    method: 'POST',
    url: `/api/admin/catalog/products/${product}/image?version=${version}`,
    headers: {
      'content-type': type,
      ...(who && { cookie: who.cookie }),
      ...(who && csrf && { 'x-csrf-token': who.token }),
    },
    payload: bytes,
  });
}

async function blobNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of testApp.app.blob.listBlobsFlat()) names.push(blob.name);
  return names.sort();
}

const productDoc = (id: string) => testApp.db.collection(PRODUCTS).findOne({ _id: id as never });
const image = (path: string, headers: Record<string, string> = {}) =>
  testApp.app.inject({ method: 'GET', url: `/images/${path}`, headers });

describe('uploading a product image', () => {
  it('stores a PNG under a name the server chose, points the product at it (audited) and the storefront shows it', async () => {
    const bytes = png(4, 3);
    const response = await upload(bytes, { type: 'application/octet-stream' });
    expect(response.statusCode).toBe(200);
    const product = response.json() as { imagePath: string; version: number };
    expect(product.version).toBe(2);
    expect(product.imagePath).toMatch(/^products\/framed-print\/[0-9a-f]{32}\.png$/);
    expect(await blobNames()).toContain(product.imagePath);

    const served = await image(product.imagePath);
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(bytes)).toBe(true);
    expect(served.headers).toMatchObject({
      'content-type': 'image/png',
      'x-content-type-options': 'nosniff',
      'content-security-policy': CSP,
      'cache-control': 'public, max-age=86400',
    });
    expect(served.headers.etag).toMatch(/^"/);

    const shown = await testApp.app.inject({ method: 'GET', url: '/api/products/framed-print' });
    expect(shown.json()).toMatchObject({ imagePath: product.imagePath });

    const audit = await testApp.db
      .collection(ADMIN_AUDIT)
      .findOne({ _id: 'product:framed-print:v2' as never });
    expect(audit).toMatchObject({
      action: 'product.image',
      actor: { email: 'admin@example.com' },
      target: { kind: 'product', id: 'framed-print' },
      changes: { imagePath: product.imagePath },
    });
  });

  it.each([
    ['a JPEG', jpeg(), 'image/jpeg', 'jpg'],
    ['a WebP', webp(), 'image/webp', 'webp'],
    ['an AVIF', avif(), 'image/avif', 'avif'],
  ])(
    'accepts %s, stored and served with the type its bytes say (not the declared one)',
    async (_name, bytes, type, ext) => {
      const { version } = (await productDoc('postcard')) as unknown as { version: number };
      const response = await upload(bytes, { product: 'postcard', version, type: 'image/png' });
      expect(response.statusCode).toBe(200);
      const { imagePath } = response.json() as { imagePath: string };
      expect(imagePath.endsWith(`.${ext}`)).toBe(true);
      const served = await image(imagePath);
      expect(served.headers['content-type']).toBe(type);
      expect(served.rawPayload.equals(bytes)).toBe(true);
    },
  );

  it('answers If-None-Match with 304 (the same headers, no body); another tag gets the image', async () => {
    const { imagePath } = (await productDoc('framed-print')) as unknown as { imagePath: string };
    const first = await image(imagePath);
    const etag = String(first.headers.etag);
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await image(imagePath, { 'if-none-match': header });
      expect(again.statusCode, header).toBe(304);
      expect(again.rawPayload.length).toBe(0);
      expect(again.headers).toMatchObject({
        etag,
        'x-content-type-options': 'nosniff',
        'content-security-policy': CSP,
      });
    }
    const changed = await image(imagePath, { 'if-none-match': '"0x1234"' });
    expect(changed.statusCode).toBe(200);
    expect(changed.rawPayload.equals(first.rawPayload)).toBe(true);
  });
});

describe('revalidating an image with CATALOG_CACHE_SECONDS on', () => {
  it('answers a known ETag with 304 from memory, and asks Blob storage for anything else', async () => {
    const cached = await createTestApp(testApp.stack, { CATALOG_CACHE_SECONDS: '60' });
    try {
      const name = 'products/tagged.png';
      await cached.app.blob
        .getBlockBlobClient(name)
        .uploadData(png(), { blobHTTPHeaders: { blobContentType: 'image/png' } });
      const get = (headers: Record<string, string> = {}) =>
        cached.app.inject({ method: 'GET', url: `/images/${name}`, headers });
      const etag = String((await get()).headers.etag);
      // Gone from storage: only an answer that does not ask storage can still be a 304.
      await cached.app.blob.getBlobClient(name).delete();
      const remembered = await get({ 'if-none-match': etag });
      expect(remembered.statusCode).toBe(304);
      expect(remembered.headers).toMatchObject({
        etag,
        'cache-control': 'public, max-age=86400',
        'x-content-type-options': 'nosniff',
        'content-security-policy': CSP,
      });
      expect((await get()).statusCode).toBe(404);
      expect((await get({ 'if-none-match': '"0x1234"' })).statusCode).toBe(404);
    } finally {
      await cached.close();
    }
  });

  it('after a back-office upload replaces a picture, serves the new one: the old ETag never earns a 304', async () => {
    const cached = await createTestApp(testApp.stack, { CATALOG_CACHE_SECONDS: '60' });
    try {
      const who = await csrfFor(cached.app, await loginAs(cached.app, 'admin@example.com'));
      const asAdmin = (url: string, payload: Buffer | Record<string, unknown>, type = 'application/json') =>
        cached.app.inject({
          method: 'POST',
          url: `/api/admin/catalog${url}`,
          headers: { cookie: who.cookie, 'x-csrf-token': who.token, 'content-type': type },
          payload,
        });
      const created = await asAdmin('/categories', { id: 'murals', heading: 'Murals' });
      expect(created.statusCode).toBe(201);
      const product = {
        id: 'mural',
        categoryId: 'murals',
        heading: 'Mural',
        description: '',
        priceAmount: 100,
      };
      expect((await asAdmin('/products', product)).statusCode).toBe(201);
      const replace = async (bytes: Buffer, version: number) => {
        const response = await asAdmin(`/products/mural/image?version=${version}`, bytes, 'image/png');
        expect(response.statusCode).toBe(200);
        return (response.json() as { imagePath: string }).imagePath;
      };
      const get = (path: string, headers: Record<string, string> = {}) =>
        cached.app.inject({ method: 'GET', url: `/images/${path}`, headers });

      const oldBytes = png(3, 3);
      const oldPath = await replace(oldBytes, 1);
      const oldTag = String((await get(oldPath)).headers.etag);
      // The old picture's tag is now remembered: its revalidation is answered from memory.
      expect((await get(oldPath, { 'if-none-match': oldTag })).statusCode).toBe(304);

      const newBytes = png(5, 2);
      const newPath = await replace(newBytes, 2);
      expect(newPath).not.toBe(oldPath);
      for (const headers of [{}, { 'if-none-match': oldTag }] as Record<string, string>[]) {
        const served = await get(newPath, headers);
        expect(served.statusCode, JSON.stringify(headers)).toBe(200);
        expect(served.rawPayload.equals(newBytes)).toBe(true);
        expect(served.headers.etag).not.toBe(oldTag);
      }
    } finally {
      await cached.close();
    }
  });
});

describe('a refused upload stores nothing', () => {
  const big = png(2, 2, 6 * 1024 * 1024);
  const whole = png();
  it.each<[string, Buffer, Upload, number, string | undefined, RegExp]>([
    ['an SVG renamed .png', SVG, {}, 415, 'UNSUPPORTED_MEDIA_TYPE', /an SVG document/],
    ['an HTML page sent as image/png', HTML, {}, 415, 'UNSUPPORTED_MEDIA_TYPE', /an HTML document/],
    [
      'a truncated PNG',
      whole.subarray(0, whole.length - 12),
      {},
      400,
      'VALIDATION_FAILED',
      /PNG but is cut off/,
    ],
    ['an empty body', Buffer.alloc(0), {}, 400, 'VALIDATION_FAILED', /empty/],
    ['6 MB', big, {}, 413, 'PAYLOAD_TOO_LARGE', /larger than 5 MB/],
    [
      'a multipart form',
      Buffer.from('--x\r\n\r\n--x--'),
      { type: 'multipart/form-data; boundary=x' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /Send the image itself/,
    ],
    [
      'a JSON body',
      Buffer.from('{}'),
      { type: 'application/json' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /Send the image itself/,
    ],
    ['no version', whole, { version: '' }, 400, 'VALIDATION_FAILED', /version/],
    ['an unknown product', whole, { product: 'no-such-product' }, 404, 'NOT_FOUND', /Product not found/],
    ['a stale version', whole, { product: 'poster', version: 7 }, 409, 'CONFLICT', /changed by someone else/],
    ['a shopper', whole, { product: 'poster', as: 'shopper' }, 403, 'FORBIDDEN', /./],
    ['someone signed out', whole, { product: 'poster', as: 'nobody' }, 401, 'UNAUTHORIZED', /./],
    ['an admin without the CSRF token', whole, { product: 'poster', csrf: false }, 403, undefined, /./],
  ])('%s: %i, with the problem named', async (_name, bytes, options, status, code, message) => {
    const before = await blobNames();
    const product = options.product ?? 'poster';
    const productBefore = await productDoc(product);
    const response = await upload(bytes, { ...options, product });
    expect(response.statusCode).toBe(status);
    const body = response.json() as { error: string; message: string };
    if (code) expect(body.error).toBe(code);
    expect(body.message).toMatch(message);
    expect(await blobNames()).toEqual(before);
    expect(await productDoc(product)).toEqual(productBefore);
  });
});

describe('an edit between the check and the write', () => {
  it('refuses the upload with 409 and removes the blob it had just written', async () => {
    const before = await blobNames();
    // The version check passes (as it did before the other admin saved); the write itself then meets version 2.
    await testApp.db.collection(PRODUCTS).updateOne({ _id: 'poster' as never }, { $inc: { version: 1 } });
    const catalog = { ...testApp.app.adminCatalog, expectProductVersion: async () => {} };
    const actor = { sub: 'admin-0001', name: 'Admin' };
    await expect(
      uploadProductImage(catalog, testApp.app.blob, { actor, productId: 'poster', version: 1, bytes: png() }),
    ).rejects.toMatchObject({ statusCode: 409 });
    expect(await blobNames()).toEqual(before);
    await testApp.db.collection(PRODUCTS).updateOne({ _id: 'poster' as never }, { $inc: { version: -1 } });
  });
});

describe('serving /images/*', () => {
  it('serves a shipped demo SVG with the sandbox CSP, and refuses SVG anywhere else or a type off the list', async () => {
    const put = (name: string, body: Buffer, type: string) =>
      testApp.app.blob
        .getBlockBlobClient(name)
        .uploadData(body, { blobHTTPHeaders: { blobContentType: type } });
    await put('demo/teapot.svg', SVG, 'image/svg+xml');
    const demo = await image('demo/teapot.svg');
    expect(demo.statusCode).toBe(200);
    expect(demo.headers).toMatchObject({
      'content-type': 'image/svg+xml',
      'x-content-type-options': 'nosniff',
      'content-security-policy': CSP,
    });

    await put('products/poster/evil.svg', SVG, 'image/svg+xml');
    await put('products/poster/page.png', HTML, 'text/html');
    await put('products/poster/untyped.png', png(), 'application/octet-stream');
    for (const name of [
      'products/poster/evil.svg',
      'products/poster/page.png',
      'products/poster/untyped.png',
    ]) {
      const refused = await image(name);
      expect(refused.statusCode, name).toBe(404);
      expect(refused.headers['content-type']).toMatch(/^application\/json/);
      expect(refused.headers['content-security-policy']).toBe(CSP);
    }
  });
});
