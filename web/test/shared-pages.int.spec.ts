import { eventually } from '@az-shop/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOT_VALUES } from '../src/ssr/shared-pages';
import { createTestApp, loginAs, seedProducts, startStack, type TestApp } from './helper';
import { cspNonce, hiddenField, hydrationJson, rootDataOf, Visitor } from './visitor';

/**
 * The shared-page cache (src/ssr/shared-pages.ts) and the cart-count cache with TTLs long enough to
 * outlive the test: which shopper gets which kept page with which values of their own, and that cart
 * and catalog changes (made here or straight in the database) still reach the next page.
 */
let testApp: TestApp;

beforeAll(async () => {
  testApp = await createTestApp(await startStack(), {
    PAGE_CACHE_SECONDS: '60',
    CART_COUNT_CACHE_SECONDS: '60',
    // Tests give a session another user's name and sub straight in the database.
    SESSION_CACHE_SECONDS: '0',
  });
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

/** GETs a page as this shopper until it comes from the shared-page cache (not streamed). */
async function keptPageFor(visitor: Visitor, url: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const page = await visitor.get(url);
    if (page.statusCode === 200 && page.headers['transfer-encoding'] !== 'chunked') return page;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${url} never came from the shared-page cache`);
}

/** A visitor, not signed in, who put `qty` chairs in their cart with the product page's form. */
async function shopperWithChairs(qty: number): Promise<Visitor> {
  const shopper = new Visitor(testApp.app);
  const added = await shopper.submit('/products/chair-1', {
    intent: 'add',
    productId: 'chair-1',
    qty: String(qty),
  });
  expect(added.statusCode).toBe(303);
  return shopper;
}

/** What the header shows: the signed-in name, and the cart count. */
function headerOf(body: string) {
  return {
    name: /data-testid="user-name">([^<]*)</.exec(body)?.[1],
    count: /data-testid="cart-count" aria-hidden="true">([^<]*)</.exec(body)?.[1],
  };
}

describe('shared catalog pages', () => {
  it('serve the kept page to every shopper of its shape, each with their own header and hydration data', async () => {
    await keptPageFor(new Visitor(testApp.app), '/products/chair-1');
    const shopper = await shopperWithChairs(2);
    const withCart = await keptPageFor(shopper, '/products/chair-1');
    expect(headerOf(withCart.body)).toEqual({ name: undefined, count: '2' });
    expect(rootDataOf(withCart.body)).toMatchObject({ session: { user: null }, cartCount: 2 });

    const signedIn = new Visitor(testApp.app, await loginAs(testApp.app, 'shopper@example.com'));
    // The first page of a shape is a render of its own; its data is what the kept page must carry.
    const own = await signedIn.get('/products/chair-1');
    expect(own.headers['transfer-encoding']).toBe('chunked');
    const kept = await keptPageFor(signedIn, '/products/chair-1');
    expect(headerOf(kept.body)).toEqual(headerOf(own.body));
    const withoutToken = (body: string) => {
      const data = JSON.parse(hydrationJson(body)) as { loaderData: { root: { session: object } } };
      return { ...data, loaderData: { ...data.loaderData, root: { ...data.loaderData.root, session: {} } } };
    };
    expect(withoutToken(kept.body)).toEqual(withoutToken(own.body));
    expect(rootDataOf(kept.body)).toMatchObject({
      session: { user: { sub: 'shopper-0001', name: 'Sam Shopper', roles: [] } },
      cartCount: 0,
    });
    for (const standIn of Object.values(SLOT_VALUES)) expect(kept.body).not.toContain(standIn);
  });

  it('are reported to the operators: a load per page kept, none for the views it then serves', async () => {
    const metric = async (name: string, cache: string) => {
      const text = (await testApp.app.inject('/metrics')).body;
      const value = new RegExp(`^${name}\\{[^}]*cache="${cache}"[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1];
      return value === undefined ? undefined : Number(value);
    };
    const shopper = await shopperWithChairs(1);
    const loads = async () => ({
      pages: (await metric('web_cache_loads_total', 'shared_pages')) ?? 0,
      counts: (await metric('web_cache_loads_total', 'cart_counts')) ?? 0,
    });
    const before = await loads();
    await keptPageFor(shopper, '/products/table-1');
    for (let view = 0; view < 3; view++) await keptPageFor(shopper, '/products/table-1');
    // The page rendered once with stand-ins; the cart's count was read (the add forgot it) ...
    const after = await loads();
    expect(after.pages).toBe(before.pages + 1);
    expect(after.counts).toBeGreaterThan(before.counts);
    expect(await metric('web_cache_entries', 'shared_pages')).toBeGreaterThanOrEqual(2);
    expect(await metric('web_cache_entries', 'cart_counts')).toBeGreaterThanOrEqual(1);
    // ... and, once the second after the shopper's own write has passed (auth/last-write.ts), kept.
    await eventually(
      async () => {
        const counted = (await loads()).counts;
        await keptPageFor(shopper, '/products/table-1');
        return (await loads()).counts === counted;
      },
      { what: 'a view that reads no cart count' },
    );
  });

  it('give every response its own CSP nonce and a CSRF token its session accepts', async () => {
    await keptPageFor(new Visitor(testApp.app), '/');
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
    await keptPageFor(new Visitor(testApp.app), '/products/chair-1');
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

  it('give shoppers asking at once each their own name, cart count, CSRF token and nonce', async () => {
    // Two signed-in shoppers of one shape (Tom's session gets another user's name and sub), an
    // admin (a shape of its own), and two visitors without sign-in, each with a different cart.
    const tom = new Visitor(testApp.app, await loginAs(testApp.app, 'shopper@example.com'));
    await testApp.db
      .collection('sessions')
      .updateMany({ sub: 'shopper-0001' }, { $set: { sub: 'shopper-0002', name: 'Tom "T" <Tester> & Co' } });
    const shoppers = [
      { visitor: tom, name: 'Tom &quot;T&quot; &lt;Tester&gt; &amp; Co', qty: 5 },
      {
        visitor: new Visitor(testApp.app, await loginAs(testApp.app, 'shopper@example.com')),
        name: 'Sam Shopper',
        qty: 2,
      },
      {
        visitor: new Visitor(testApp.app, await loginAs(testApp.app, 'admin@example.com')),
        name: 'Ada Admin',
        qty: 1,
      },
      { visitor: new Visitor(testApp.app), name: undefined, qty: 3 },
      { visitor: new Visitor(testApp.app), name: undefined, qty: 4 },
    ];
    await testApp.db.collection('carts').deleteMany({});
    for (const { visitor, qty } of shoppers) {
      const added = await visitor.submit('/products/table-1', {
        intent: 'add',
        productId: 'table-1',
        qty: String(qty),
      });
      expect(added.statusCode).toBe(303);
      await keptPageFor(visitor, '/products/chair-1');
    }

    const rounds = await Promise.all(
      Array.from({ length: 8 }, () =>
        Promise.all(shoppers.map(({ visitor }) => visitor.get('/products/chair-1'))),
      ),
    );
    const nonces = new Set<string>();
    for (const responses of rounds) {
      responses.forEach((page, index) => {
        const { name, qty } = shoppers[index] ?? {};
        expect(page.headers['transfer-encoding']).not.toBe('chunked');
        expect(headerOf(page.body)).toEqual({ name, count: String(qty) });
        const root = rootDataOf(page.body);
        expect(root.cartCount).toBe(qty);
        expect(hiddenField(page.body, '_csrf')).toBe(root.session.csrfToken);
        const nonce = cspNonce(page.headers['content-security-policy']) ?? '';
        expect(page.body).toContain(`nonce="${nonce}"`);
        nonces.add(nonce);
        for (const other of shoppers)
          if (other.name && other.name !== name) expect(page.body).not.toContain(other.name);
      });
    }
    expect(nonces.size).toBe(rounds.length * shoppers.length);

    // Each page's token is its own session's: it works there, and is refused in another session.
    const [first, second] = rounds[0] ?? [];
    const form = (page: typeof first) => ({
      _csrf: hiddenField(page?.body ?? '', '_csrf'),
      intent: 'add',
      productId: 'chair-1',
      qty: '1',
    });
    expect((await shoppers[1]?.visitor.post('/products/chair-1', form(first)))?.statusCode).toBe(403);
    expect((await shoppers[0]?.visitor.post('/products/chair-1', form(first)))?.statusCode).toBe(303);
    expect((await shoppers[1]?.visitor.post('/products/chair-1', form(second)))?.statusCode).toBe(303);
  });

  it('show a cart change on the next page, made here (also without JavaScript) or on another instance', async () => {
    const sam = new Visitor(testApp.app, await loginAs(testApp.app, 'shopper@example.com'));
    await testApp.db.collection('carts').deleteMany({});

    // A form posted from the kept page (its CSRF token), as a browser without JavaScript does.
    const product = await keptPageFor(sam, '/products/chair-1');
    const added = await sam.post('/products/chair-1', {
      _csrf: hiddenField(product.body, '_csrf'),
      intent: 'add',
      productId: 'chair-1',
      qty: '3',
    });
    expect(added.statusCode).toBe(303);
    const next = await sam.get('/');
    expect(headerOf(next.body).count).toBe('3');
    expect(rootDataOf(next.body).cartCount).toBe(3);

    // Another instance (or device) changes the cart: the change stream forgets the kept count.
    await testApp.db
      .collection<{ _id: string }>('carts')
      .updateOne({ _id: 'user:shopper-0001' }, { $set: { 'lines.0.qty': 7 } });
    await eventually(async () => headerOf((await sam.get('/')).body).count === '7', {
      what: 'the count changed in the database',
    });
  });

  it('take a catalog change into the kept pages of every shape', async () => {
    const sam = new Visitor(testApp.app, await loginAs(testApp.app, 'shopper@example.com'));
    const visitor = new Visitor(testApp.app);
    await keptPageFor(sam, '/products/chair-1');
    await keptPageFor(visitor, '/products/chair-1');
    await renameProduct('chair-1', 'Renamed Chair');
    try {
      for (const shopper of [sam, visitor]) {
        await eventually(
          async () => (await keptPageFor(shopper, '/products/chair-1')).body.includes('Renamed Chair'),
          { what: 'the renamed product in the kept page' },
        );
      }
      expect(headerOf((await sam.get('/products/chair-1')).body).name).toBe('Sam Shopper');
    } finally {
      await renameProduct('chair-1', 'Oak Chair');
    }
  });

  it('keeps only pages that rendered fine: a missing product is a 404 every time', async () => {
    for (let i = 0; i < 3; i++) {
      const page = await testApp.app.inject({ method: 'GET', url: '/products/no-such-thing' });
      expect(page.statusCode).toBe(404);
    }
  });
});
