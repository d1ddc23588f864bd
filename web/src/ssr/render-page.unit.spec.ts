import { silentLogger } from '@az-shop/common/testing';
import { describe, expect, it, vi } from 'vitest';
import type { Product } from '../products/product';
import type { StorefrontData } from '../ui/data';
import type { DocumentStream } from './document-stream';
import { queryPage, renderDocument } from './render-page';

const teapot: Product = {
  id: 'teapot',
  category: 'kitchen',
  heading: 'Teapot',
  description: 'Stoneware.',
  price: { amount: 3900, currency: 'EUR' },
  position: 'standard',
};

/**
 * The data of a product page whose deferred part (the related products) never arrives: what a hung
 * database read looks like to the renderer. Anything else a page might ask for is not expected here.
 */
function hangingRelatedProducts(): StorefrontData {
  const page: Partial<StorefrontData> = {
    session: async () => ({ user: null, csrfToken: 'token' }),
    cartCount: async () => 0,
    getProduct: async (id) => (id === teapot.id ? teapot : null),
    getAvailability: async (productId) => ({ productId, available: 3 }),
    listCategories: async () => [{ id: 'kitchen', heading: 'Kitchen' }],
    listProducts: () => new Promise(() => {}),
  };
  return new Proxy(page as StorefrontData, {
    get: (target, name) =>
      target[name as keyof StorefrontData] ??
      (() => Promise.reject(new Error(`${String(name)} not expected`))),
  });
}

async function readAll(body: DocumentStream): Promise<string> {
  let html = '';
  for await (const chunk of body) html += String(chunk);
  return html;
}

const assets = { script: '/assets/client.js', styles: [] };

describe('renderDocument', () => {
  it('ends a page whose deferred data never arrives at the stream timeout, fallback in place', async () => {
    const context = await queryPage(
      hangingRelatedProducts(),
      new Request('http://shop.test/products/teapot'),
    );
    if (context instanceof Response) throw new Error('the product page redirected');
    const started = Date.now();
    const body = await renderDocument(context, { nonce: 'n', assets, whole: false, log: silentLogger }, 100);
    const html = await readAll(body);
    // The shell came first and the document is complete: the browser renders the fallback's content.
    expect(html).toContain('Teapot');
    expect(html).toContain('Loading suggestions…');
    expect(html).toMatch(/<\/html>\s*$/);
    // Ended by the abort (plus the hydration data's own wait for the still pending value), not later.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(html).toContain('"$settled":"rejected"');
  });

  it('waits for every boundary when asked for the whole page, up to the same timeout', async () => {
    const context = await queryPage(
      hangingRelatedProducts(),
      new Request('http://shop.test/products/teapot'),
    );
    if (context instanceof Response) throw new Error('the product page redirected');
    // Piping from inside React's abort() made React report "a bug in React" on the console.
    const consoleErrors = vi.spyOn(console, 'error');
    try {
      const body = await renderDocument(context, { nonce: 'n', assets, whole: true, log: silentLogger }, 100);
      const html = await readAll(body);
      expect(html).toContain('Loading suggestions…');
      expect(html).toMatch(/<\/html>\s*$/);
      expect(consoleErrors).not.toHaveBeenCalled();
    } finally {
      consoleErrors.mockRestore();
    }
  });
});
