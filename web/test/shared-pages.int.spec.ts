import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOT_VALUES } from '../src/ssr/shared-pages';
import { createTestApp, loginAs, seedProducts, startStack, type TestApp } from './helper';
import { hiddenField, hydrationJson, Visitor } from './visitor';

/**
 * The shared-page cache (src/ssr/shared-pages.ts) with a TTL long enough to outlive the test: a
 * catalog edit made straight in the database shows who gets the kept page and who a fresh render.
 */
let testApp: TestApp;

beforeAll(async () => {
  testApp = await createTestApp(await startStack(), { PAGE_CACHE_SECONDS: '60' });
  await seedProducts(testApp.db, [
    { _id: 'chair-1', heading: 'Oak Chair', category: 'chairs', amount: 4999, position: 'hero' },
    { _id: 'table-1', heading: 'Walnut Table', category: 'tables', amount: 19900 },
  ]);
});

afterAll(async () => {
  await testApp.close();
  await testApp.stack.stop();
});

const renameProduct = (id: string, heading: string) =>
  testApp.db.collection<{ _id: string }>('products').updateOne({ _id: id }, { $set: { heading } });

/** GETs a page until the shared copy (rendered beside the first response) is kept. */
async function sharedCopyOf(url: string, heading: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const page = await testApp.app.inject({ method: 'GET', url });
    if (page.headers['transfer-encoding'] !== 'chunked' && page.body.includes(heading)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${url} never came from the shared-page cache`);
}

const cspNonce = (csp: unknown) => /'nonce-([^']+)'/.exec(String(csp))?.[1];

describe('shared catalog pages', () => {
  it('serve a kept page to visitors without sign-in or cart, and a fresh render to anyone else', async () => {
    await sharedCopyOf('/products/chair-1', 'Oak Chair');
    await renameProduct('chair-1', 'Renamed Chair');
    try {
      const first = new Visitor(testApp.app);
      expect((await first.get('/products/chair-1')).body).toContain('Oak Chair');

      const shopper = new Visitor(testApp.app);
      const added = await shopper.submit('/products/chair-1', {
        intent: 'add',
        productId: 'chair-1',
        qty: '1',
      });
      expect(added.statusCode).toBe(303);
      const withCart = await shopper.get('/products/chair-1');
      expect(withCart.body).toContain('Renamed Chair');

      const signedIn = new Visitor(testApp.app, await loginAs(testApp.app, 'shopper@example.com'));
      const own = await signedIn.get('/products/chair-1');
      expect(own.body).toContain('Renamed Chair');
      expect(own.body).toContain('data-testid="user-name"');
    } finally {
      await renameProduct('chair-1', 'Oak Chair');
    }
  });

  it('give every response its own CSP nonce and a CSRF token its session accepts', async () => {
    await sharedCopyOf('/', 'Walnut Table');
    const a = await testApp.app.inject({ method: 'GET', url: '/' });
    const b = await testApp.app.inject({ method: 'GET', url: '/' });
    for (const page of [a, b]) {
      expect(page.headers['transfer-encoding']).not.toBe('chunked');
      const nonce = cspNonce(page.headers['content-security-policy']);
      expect(page.body).toContain(`nonce="${nonce}"`);
      expect(page.body).not.toContain(SLOT_VALUES.nonce);
      expect(page.body).not.toContain(SLOT_VALUES.csrfToken);
    }
    expect(cspNonce(a.headers['content-security-policy'])).not.toBe(
      cspNonce(b.headers['content-security-policy']),
    );

    // The token in the kept page belongs to the session cookie that came with it: a form post works.
    const visitor = new Visitor(testApp.app);
    const home = await visitor.get('/');
    const { loaderData } = JSON.parse(hydrationJson(home.body)) as {
      loaderData: { root: { session: { csrfToken: string } } };
    };
    expect(visitor.cookie).not.toBe('');
    await sharedCopyOf('/products/chair-1', 'Oak Chair');
    const product = await visitor.get('/products/chair-1');
    expect(hiddenField(product.body, '_csrf')).not.toBe(SLOT_VALUES.csrfToken);
    const added = await visitor.post('/products/chair-1', {
      _csrf: loaderData.root.session.csrfToken,
      intent: 'add',
      productId: 'chair-1',
      qty: '2',
    });
    expect(added.statusCode).toBe(303);
  });

  it('keeps only pages that rendered fine: a missing product is a 404 every time', async () => {
    for (let i = 0; i < 3; i++) {
      const page = await testApp.app.inject({ method: 'GET', url: '/products/no-such-thing' });
      expect(page.statusCode).toBe(404);
    }
  });
});
