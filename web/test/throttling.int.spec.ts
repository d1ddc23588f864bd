/**
 * web against a database that throttles it as Cosmos DB does (16500, the dev server with `cosmos`):
 * a page and the JSON API answer 503 with Retry-After, not 500; a write answers the same and leaves
 * nothing behind; once the rate allows it, all of it works. (Reads running again is proven in
 * common/test/http-throttle-retry.int.spec.ts.)
 */
import { type CosmosOptions, startMongoServer } from '@az-shop/mongo-emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type Stack, seedProducts, startStack, type TestApp } from './helper';
import { Shopper } from './shopper';

// Only the app's own connection ('az-shop-web-test') is throttled; read on every command.
const cosmos: CosmosOptions = { throttleRate: 0, throttleAppNames: ['az-shop-web-test'], retryAfterMs: 2500 };

let stack: Stack;
let testApp: TestApp;

beforeAll(async () => {
  const server = await startMongoServer({ port: 0, inMemory: true, cosmos });
  const base = await startStack();
  stack = {
    ...base,
    mongo: { uri: server.uri, stop: () => server.stop() },
    stop: async () => {
      await base.stop();
      await server.stop();
    },
  };
  testApp = await createTestApp(stack, {}, 'cosmos');
  await seedProducts(testApp.db, [{ _id: 'chair', heading: 'Oak Chair', category: 'chairs' }]);
});

afterAll(async () => {
  await testApp?.close();
  await stack?.stop();
});

beforeEach(() => {
  cosmos.throttleRate = 0;
});

describe('Cosmos DB throttles every command of web', () => {
  it('the JSON API answers 503 THROTTLED with Retry-After, then 200 once it lets up', async () => {
    cosmos.throttleRate = 1;
    const busy = await testApp.app.inject({ method: 'GET', url: '/api/products/chair' });
    cosmos.throttleRate = 0;
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe('3');
    expect(busy.json()).toEqual({
      error: 'THROTTLED',
      message: 'The shop is busy right now: try again in a moment',
    });
    const answered = await testApp.app.inject({ method: 'GET', url: '/api/products/chair' });
    expect(answered.statusCode).toBe(200);
    expect(answered.json()).toMatchObject({ id: 'chair', heading: 'Oak Chair' });
  });

  it('a page answers a browser with a 503 page saying the shop is busy', async () => {
    cosmos.throttleRate = 1;
    const busy = await testApp.app.inject({
      method: 'GET',
      url: '/products/chair',
      headers: { accept: 'text/html' },
    });
    cosmos.throttleRate = 0;
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe('3');
    expect(busy.headers['content-type']).toMatch(/^text\/html/);
    expect(busy.body).toContain('The shop is busy right now. Try again in a moment.');
    const page = await testApp.app.inject({ method: 'GET', url: '/products/chair' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Oak Chair');
  });

  it('a web instance starting while throttled waits its indexes out and starts', async () => {
    cosmos.retryAfterMs = 5;
    cosmos.throttleRate = 0.2;
    const second = await createTestApp(stack, {}, 'cosmos').finally(() => {
      cosmos.throttleRate = 0;
    });
    try {
      const metrics = (await second.app.inject('/metrics')).body;
      expect(metrics).toMatch(/^mongo_throttled_total\{[^}]*component="prepare"[^}]*\} [1-9]/m);
      expect((await second.app.inject('/api/products')).statusCode).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('a cart write answers 503 and writes nothing; sent again, it is added once', async () => {
    const shopper = await Shopper.anonymous(testApp.app);
    cosmos.throttleRate = 1;
    const busy = await shopper.request('POST', '/api/cart/lines', { productId: 'chair', qty: 2 });
    cosmos.throttleRate = 0;
    expect(busy.statusCode).toBe(503);
    expect(busy.json()).toMatchObject({ error: 'THROTTLED' });
    expect(await testApp.db.collection('carts').countDocuments()).toBe(0);
    const added = await shopper.request('POST', '/api/cart/lines', { productId: 'chair', qty: 2 });
    expect(added.statusCode).toBe(200);
    expect((await shopper.request('GET', '/api/cart')).json()).toMatchObject({ count: 2 });
  });
});
