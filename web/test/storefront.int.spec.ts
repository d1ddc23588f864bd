import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestApp, createTestApp, getTestApp, loginAs, seedProducts, type TestApp } from './helper';
import { ADDRESS } from './shopper';
import { hiddenField, hydrationJson, Visitor } from './visitor';

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
  await testApp.db.collection<Record<string, unknown> & { _id: string }>('products').insertMany([
    { _id: 'chairs', partition_key: 'chairs', kind: 'category', heading: 'Chairs', position: 1 },
    { _id: 'tables', partition_key: 'tables', kind: 'category', heading: 'Tables', position: 2 },
  ]);
  await testApp.db.collection<Record<string, unknown> & { _id: string }>('stock').insertOne({
    _id: 'wh-1:chair-1',
    partition_key: 'chair-1',
    productId: 'chair-1',
    warehouse: 'wh-1',
    onHand: 7,
    reserved: 0,
    available: 7,
    shipped: 0,
    holds: [],
    waiting: [],
    version: 0,
  });
});

afterAll(closeTestApp);

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
    // client.js, or its content-hashed name once the bundle is built.
    expect(response.body).toMatch(/<script type="module" src="\/assets\/client(-[A-Z0-9]{8})?\.js"/);
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

  it('sends a crawler the whole page at once, the related products already in place', async () => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/products/chair-1',
      headers: { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('Loading suggestions…');
    expect(response.body).not.toContain('<div hidden id="S:0">');
    expect(response.body).toMatch(/More in this category.*Pine Chair/s);
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

describe('home and category pages', () => {
  it('features the hero product and highlights categories with a few products each', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/data-testid="hero".*<h2>Oak Chair<\/h2>/s);
    expect(response.body).toMatch(
      /data-testid="highlight".*<h2 id="highlight-chairs">Chairs<\/h2>.*Pine Chair/s,
    );
    expect(response.body).toContain('href="/c/tables"');
  });

  it('lists the products of a category', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/c/chairs' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<h1 id="category-heading">Chairs</h1>');
    expect(response.body).toContain('Oak Chair');
    expect(response.body).toContain('Pine Chair');
    expect(response.body).not.toContain('Walnut Table');
  });

  it('answers 404 for an unknown category', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/c/no-such-category' });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('<h1>Not found</h1>');
  });
});

describe('product page details', () => {
  it('shows the price, the stock and the add-to-cart form with a CSRF token', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/products/chair-1' });
    expect(response.body).toContain('€49.99');
    expect(response.body).toMatch(/aria-live="polite"[^>]*>In stock: 7</);
    expect(response.body).toMatch(/<form [^>]*action="\/products\/chair-1" method="post"/);
    expect(hiddenField(response.body, '_csrf')).not.toBe('');
    expect(response.body).toContain('>Add to cart</button>');
  });

  it('says a product without stock is made to order', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/products/chair-2' });
    expect(response.body).toContain('Out of stock, made to order');
  });

  it('keeps markup in a product heading inert in the HTML and the hydration data', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/products/lamp-1' });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).toContain('<h1>Lamp &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(hydrationJson(response.body)).not.toMatch(/[<>]/);
  });
});

describe('page requests out of bounds', () => {
  it('answer 400 in the error model for a path id, query or form that no page could use', async () => {
    // Fastify refuses a path parameter over 100 characters before routing (414).
    const longId = await testApp.app.inject({ method: 'GET', url: `/products/${'x'.repeat(101)}` });
    expect(longId.statusCode).toBe(414);
    expect(longId.json()).toHaveProperty('error');
    const badOffset = await testApp.app.inject({ method: 'GET', url: '/c/chairs?offset=-1' });
    expect(badOffset.statusCode).toBe(400);
    const visitor = new Visitor(testApp.app);
    const page = await visitor.get('/products/chair-1');
    const csrf = hiddenField(page.body, '_csrf');
    const oversized = await visitor.post('/products/chair-1', {
      _csrf: csrf,
      intent: 'add',
      qty: '1'.repeat(2001),
    });
    expect(oversized.statusCode).toBe(400);
    expect((await visitor.get('/cart')).body).not.toContain('Oak Chair');
  });
});

describe('cart without JavaScript', () => {
  it('adds to the cart from the product page: 303 back to the page, which says so', async () => {
    const visitor = new Visitor(testApp.app);
    const added = await visitor.submit('/products/chair-1', { intent: 'add', qty: '2' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/products/chair-1?added=2');
    const page = await visitor.get(String(added.headers.location));
    expect(page.body).toContain('Added 2 to your cart.');
    expect(page.body).toMatch(/data-testid="cart-count"[^>]*>2</);
    const cart = await visitor.get('/cart');
    expect(cart.statusCode).toBe(200);
    expect(cart.body).toContain('Oak Chair');
    expect(cart.body).toContain('€99.98');
  });

  it('refuses a form post without the CSRF token: a page for a browser, the error model for others', async () => {
    const visitor = new Visitor(testApp.app);
    await visitor.get('/products/chair-1');
    const response = await visitor.post('/products/chair-1', { intent: 'add', qty: '1' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toHaveProperty('error');

    const browser = await testApp.app.inject({
      method: 'POST',
      url: '/products/chair-1',
      headers: {
        cookie: visitor.cookie,
        accept: 'text/html,application/xhtml+xml',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'intent=add&qty=1',
    });
    expect(browser.statusCode).toBe(403);
    expect(browser.headers['content-type']).toMatch(/^text\/html/);
    expect(browser.body).toContain('This form has expired');
    expect(browser.body).toContain('href="/"');
    expect((await visitor.get('/cart')).body).not.toContain('Oak Chair');
  });

  it('refuses a quantity out of range with the error beside the field', async () => {
    const visitor = new Visitor(testApp.app);
    const response = await visitor.submit('/products/chair-1', { intent: 'add', qty: '0' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/aria-invalid="true" aria-describedby="add-qty-error"/);
  });

  it('updates and removes cart lines', async () => {
    const visitor = new Visitor(testApp.app);
    await visitor.submit('/products/chair-2', { intent: 'add', qty: '1' });
    const updated = await visitor.submit('/cart', { intent: 'update', productId: 'chair-2', qty: '3' });
    expect(updated.statusCode).toBe(200);
    expect(updated.body).toContain('Quantity updated.');
    expect(updated.body).toContain('€89.97');
    const removed = await visitor.submit('/cart', { intent: 'remove', productId: 'chair-2' });
    expect(removed.body).toContain('Your cart is empty.');
  });
});

/** The shoppers' address as the checkout form posts it: its empty optional line too. */
const GOOD_ADDRESS = { ...ADDRESS, line2: '' };

/** A signed-in shopper with one product in the cart, at the checkout page. */
async function shopperAtCheckout(email = 'shopper@example.com'): Promise<Visitor> {
  const visitor = new Visitor(testApp.app, await loginAs(testApp.app, email));
  await visitor.submit('/products/chair-1', { intent: 'add', qty: '1' });
  return visitor;
}

/** Places an order through the checkout form; answers its id. */
async function placeOrder(visitor: Visitor): Promise<string> {
  const page = await visitor.get('/checkout');
  const response = await visitor.post('/checkout', {
    _csrf: hiddenField(page.body, '_csrf'),
    idempotencyKey: hiddenField(page.body, 'idempotencyKey'),
    ...GOOD_ADDRESS,
  });
  expect(response.statusCode).toBe(303);
  const match = /^\/orders\/([^/]+)\/pay$/.exec(String(response.headers.location));
  if (!match?.[1]) throw new Error(`checkout redirected to ${response.headers.location}`);
  return decodeURIComponent(match[1]);
}

describe('checkout', () => {
  it('sends a signed-out visitor to sign in, coming back to checkout', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/checkout' });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/auth/login?returnTo=%2Fcheckout');
  });

  it('renders the address form with labels, autocomplete and a fresh idempotency key', async () => {
    const visitor = await shopperAtCheckout();
    const page = await visitor.get('/checkout');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<label for="address-name">');
    expect(page.body).toMatch(
      /id="address-postcode" name="postcode" type="text" autoComplete="postal-code"|autocomplete="postal-code"/i,
    );
    expect(page.body).toMatch(/<select id="address-country" name="country" autocomplete="country" required/i);
    const key = hiddenField(page.body, 'idempotencyKey');
    expect(hiddenField((await visitor.get('/checkout')).body, 'idempotencyKey')).not.toBe(key);
  });

  it('shows field errors beside the fields for a bad address (400), keeping what was typed', async () => {
    const visitor = await shopperAtCheckout();
    const page = await visitor.get('/checkout');
    const response = await visitor.post('/checkout', {
      _csrf: hiddenField(page.body, '_csrf'),
      idempotencyKey: hiddenField(page.body, 'idempotencyKey'),
      ...GOOD_ADDRESS,
      name: '',
      country: 'XX',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('role="alert"');
    expect(response.body).toMatch(
      /id="address-name"[^>]*aria-invalid="true" aria-describedby="address-name-error"/,
    );
    expect(response.body).toContain('id="address-name-error"');
    expect(response.body).toContain('id="address-country-error"');
    expect(response.body).toContain(`value="${ADDRESS.line1}"`);
  });

  it('places one order for a double submit and redirects to payment (303)', async () => {
    const visitor = await shopperAtCheckout();
    const page = await visitor.get('/checkout');
    const form = {
      _csrf: hiddenField(page.body, '_csrf'),
      idempotencyKey: hiddenField(page.body, 'idempotencyKey'),
      ...GOOD_ADDRESS,
    };
    const first = await visitor.post('/checkout', form);
    const second = await visitor.post('/checkout', form);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toMatch(/^\/orders\/[^/]+\/pay$/);
    expect(second.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    const cart = await visitor.get('/cart');
    expect(cart.body).toContain('Your cart is empty.');
  });
});

describe('payment and orders', () => {
  it('shows the total and the hold countdown, no card fields; Pay sends the shopper to the dev page (303), a declined card back to pay again', async () => {
    const visitor = await shopperAtCheckout();
    const orderId = await placeOrder(visitor);
    const orderUrl = `/orders/${encodeURIComponent(orderId)}`;
    const payUrl = `${orderUrl}/pay`;
    const page = await visitor.get(payUrl);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('€49.99');
    expect(page.body).toMatch(/Stock held for <strong>\d+:\d{2}<\/strong>/);
    expect(page.body).not.toMatch(/name="(cardNumber|expiry|cvc)"/);
    const started = await visitor.post(payUrl, {
      _csrf: hiddenField(page.body, '_csrf'),
      idempotencyKey: hiddenField(page.body, 'idempotencyKey'),
    });
    expect(started.statusCode).toBe(303);
    const devPage = new URL(String(started.headers.location));
    expect(devPage.origin).toBe(testApp.config.WEB_BASE_URL);
    expect(devPage.pathname).toMatch(/^\/dev-checkout\/p_[\w-]{22}$/);

    const declined = await visitor.submit(devPage.pathname, { cardNumber: '4000 0000 0000 0002' });
    expect(declined.statusCode).toBe(303);
    expect(declined.headers.location).toBe(`${payUrl}?declined=1`);
    const again = await visitor.get(`${payUrl}?declined=1`);
    expect(again.body).toMatch(/role="alert"[^>]*>[^<]*declined/i);
    expect((await visitor.get(orderUrl)).body).toContain('>Pay now</a>');

    const retry = await visitor.post(payUrl, {
      _csrf: hiddenField(again.body, '_csrf'),
      idempotencyKey: hiddenField(again.body, 'idempotencyKey'),
    });
    const paid = await visitor.submit(new URL(String(retry.headers.location)).pathname, {
      cardNumber: '4242 4242 4242 4242',
    });
    expect(paid.statusCode).toBe(303);
    expect(paid.headers.location).toBe(orderUrl);
    expect((await visitor.get(orderUrl)).body).not.toContain('>Pay now</a>');
    expect((await visitor.get(payUrl)).headers.location).toBe(orderUrl);
  });

  it('starts one attempt for a double submit of the pay form', async () => {
    const visitor = await shopperAtCheckout();
    const orderId = await placeOrder(visitor);
    const form = { idempotencyKey: 'pay-key-1' };
    const first = await visitor.submit(`/orders/${encodeURIComponent(orderId)}/pay`, form);
    const second = await visitor.submit(`/orders/${encodeURIComponent(orderId)}/pay`, form);
    expect(first.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await testApp.db.collection('payments').countDocuments({ orderId })).toBe(1);
  });

  it('lists my orders and shows an order to its owner, 404 to anyone else', async () => {
    const visitor = await shopperAtCheckout();
    const orderId = await placeOrder(visitor);
    const orderUrl = `/orders/${encodeURIComponent(orderId)}`;
    const list = await visitor.get('/orders');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`href="${orderUrl}"`);
    const order = await visitor.get(orderUrl);
    expect(order.statusCode).toBe(200);
    expect(order.body).toContain('Oak Chair');
    expect(order.body).toContain(ADDRESS.line1);
    expect(order.body).toMatch(/aria-live="polite"[^>]*><ol class="timeline"/);
    expect(order.body).toContain('>Cancel order</button>');
    const other = new Visitor(testApp.app, await loginAs(testApp.app, 'admin@example.com'));
    expect((await other.get(orderUrl)).statusCode).toBe(404);
    expect((await other.get(`${orderUrl}/pay`)).statusCode).toBe(404);
  });

  it('sends a signed-out visitor from my orders to sign in', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/orders' });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/auth/login?returnTo=%2Forders');
  });

  it('requests a cancellation without JavaScript', async () => {
    const visitor = await shopperAtCheckout();
    const orderUrl = `/orders/${encodeURIComponent(await placeOrder(visitor))}`;
    const response = await visitor.submit(orderUrl, { intent: 'cancel' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Cancellation requested.');
    expect(response.body).not.toContain('>Cancel order</button>');
  });
});
