import type { AddressInfo } from 'node:net';
import { PRODUCTS, type ServiceReactions, WORK_ITEMS, type WorkItemDocument } from '@az-shop/common';
import { eventually, silentLogger, TestClock } from '@az-shop/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFactoryProcessors } from '../../factory/src/processors';
import { ADMIN_AUDIT } from '../src/admin/audit';
import type { ProductionRequestView } from '../src/admin/production-service';
import {
  createTestApp,
  csrfFor,
  loginAs,
  type Stack,
  seedProducts,
  startStack,
  type TestApp,
} from './helper';
import { EventReader, get } from './sse';

/**
 * Production requests and the factory board, with the real factory processors on the same database:
 * one unit of capacity and an hour per unit, so the first request builds and the next ones wait
 * until the test moves the factory's clock.
 */
let stack: Stack;
let testApp: TestApp;
let factory: ServiceReactions;
let clock: TestClock;
let base: string;
let admin: { cookie: string; token: string };
let shopper: { cookie: string; token: string };

beforeAll(async () => {
  stack = await startStack();
  testApp = await createTestApp(stack, { FACTORY_CAPACITY: '1', BOARD_REFRESH_MS: '50' });
  await seedProducts(testApp.db, [
    { _id: 'lamp', heading: 'Lamp' },
    { _id: 'stool', heading: 'Stool' },
    { _id: 'old-chair', heading: 'Old chair' },
  ]);
  await testApp.db
    .collection<{ _id: string }>(PRODUCTS)
    .updateOne({ _id: 'old-chair' }, { $set: { archivedAt: new Date() } });
  clock = new TestClock();
  factory = registerFactoryProcessors(
    {
      db: testApp.db,
      logger: silentLogger,
      clock,
      config: {
        FACTORY_CAPACITY: 1,
        FACTORY_SECONDS_PER_UNIT: 3600,
        FACTORY_TICK_MS: 20,
        FACTORY_IDLE_MS: 20,
      },
    },
    { leases: false },
  );
  await factory.start();
  // Event streams need a real socket: inject() waits for the end of a response that never ends.
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
  admin = await csrfFor(testApp.app, await loginAs(testApp.app, 'admin@example.com'));
  shopper = await csrfFor(testApp.app, await loginAs(testApp.app, 'shopper@example.com'));
});

afterAll(async () => {
  await factory?.stop();
  await testApp?.close();
  await stack?.stop();
});

type Method = 'GET' | 'POST';

function as(
  who: { cookie: string; token: string } | undefined,
  method: Method,
  path: string,
  payload?: unknown,
) {
  return testApp.app.inject({
    method,
    url: `/api/admin${path}`,
    headers: { ...(who && { cookie: who.cookie, 'x-csrf-token': who.token }) },
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
}
const api = (method: Method, path: string, payload?: unknown) => as(admin, method, path, payload);

async function requestOf(id: string): Promise<ProductionRequestView | undefined> {
  const list = (await api('GET', '/production-requests?limit=200')).json() as ProductionRequestView[];
  return list.find((request) => request.id === id);
}

const stateIs = (id: string, state: string) => async () => (await requestOf(id))?.state === state;

describe('production requests', () => {
  it('an admin requests units, the factory builds them; a waiting request is cancelled, a started one is not', async () => {
    const first = await api('POST', '/production-requests', { productId: 'lamp', qty: 2 });
    expect(first.statusCode).toBe(201);
    const building = first.json() as ProductionRequestView;
    expect(building).toMatchObject({
      productId: 'lamp',
      qty: 2,
      warehouse: 'main',
      state: 'Requested',
      unitsDone: 0,
    });
    expect(building.requestedBy).toBe('admin@example.com');
    await eventually(stateIs(building.id, 'InProduction'));

    const second = (await api('POST', '/production-requests', { productId: 'stool', qty: 1 })).json();
    const waiting = second as ProductionRequestView;
    await eventually(async () => (await requestOf(waiting.id))?.stage === 'FactoryReady');

    // Newest first.
    const list = (await api('GET', '/production-requests')).json() as ProductionRequestView[];
    expect(list.slice(0, 2).map((request) => request.id)).toEqual([waiting.id, building.id]);

    // A started request cannot be cancelled.
    const refused = await api('POST', `/production-requests/${building.id}/cancel`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'CONFLICT' });

    // A waiting one is: web marks it, the factory cancels its work item.
    const cancel = await api('POST', `/production-requests/${waiting.id}/cancel`, {
      reason: 'ordered too many',
    });
    expect(cancel.statusCode).toBe(202);
    expect(cancel.json()).toMatchObject({ id: waiting.id, cancelRequestedAt: expect.any(String) });
    const cancelled = await eventually(async () => {
      const view = await requestOf(waiting.id);
      return view?.state === 'Cancelled' && view;
    });
    expect(cancelled).toMatchObject({
      unitsDone: 0,
      reason: 'production request cancelled by admin@example.com',
    });
    // Cancelled is final: asking again is a conflict.
    expect((await api('POST', `/production-requests/${waiting.id}/cancel`, {})).statusCode).toBe(409);

    // The build's hour passes: the started request is done, with its units.
    clock.advance(3 * 3600_000);
    const done = await eventually(async () => {
      const view = await requestOf(building.id);
      return view?.state === 'Done' && view;
    });
    expect(done.unitsDone).toBe(2);

    const audit = await testApp.db
      .collection(ADMIN_AUDIT)
      .find({ 'target.kind': 'production-request' })
      .toArray();
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'production-request.create',
          target: { kind: 'production-request', id: building.id },
          changes: { productId: 'lamp', qty: 2, warehouse: 'main' },
          actor: expect.objectContaining({ email: 'admin@example.com' }),
        }),
        expect.objectContaining({
          action: 'production-request.cancel',
          target: { kind: 'production-request', id: waiting.id },
          changes: { reason: 'ordered too many' },
        }),
      ]),
    );
  });

  it('asking twice to cancel a request the factory has not decided yet records one change', async () => {
    // Capacity is taken by a long build, so this one waits.
    const long = (await api('POST', '/production-requests', { productId: 'lamp', qty: 5 })).json();
    await eventually(stateIs((long as ProductionRequestView).id, 'InProduction'));
    const { id } = (await api('POST', '/production-requests', { productId: 'stool', qty: 3 })).json() as {
      id: string;
    };
    const [a, b] = await Promise.all([
      api('POST', `/production-requests/${id}/cancel`, {}),
      api('POST', `/production-requests/${id}/cancel`, {}),
    ]);
    expect([a.statusCode, b.statusCode].every((code) => code === 202 || code === 409)).toBe(true);
    await eventually(stateIs(id, 'Cancelled'));
    expect(await testApp.db.collection(ADMIN_AUDIT).countDocuments({ 'target.id': id })).toBe(2); // create + cancel
  });

  it('refuses bad input with 400, unknown ids with 404 and archived products with 409', async () => {
    const before = await testApp.db.collection('production_requests').countDocuments();
    for (const body of [
      { productId: 'lamp', qty: 0 },
      { productId: 'lamp', qty: 1001 },
      { productId: 'lamp', qty: 1.5 },
      { productId: 'lamp', qty: -1 },
      { productId: 'lamp' },
      { qty: 1 },
      { productId: { $ne: null }, qty: 1 },
      { productId: 'lamp', qty: { $gt: 0 } },
      { productId: '', qty: 1 },
    ]) {
      const response = await api('POST', '/production-requests', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
    expect(await testApp.db.collection('production_requests').countDocuments()).toBe(before);

    const unknown = await api('POST', '/production-requests', { productId: 'no-such-product', qty: 1 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'NOT_FOUND' });
    const archived = await api('POST', '/production-requests', { productId: 'old-chair', qty: 1 });
    expect(archived.statusCode).toBe(409);

    // A bracketed key is no operator here: it is an unknown parameter, dropped (limit keeps its default).
    const bracketed = await api('GET', '/production-requests?limit[$gt]=1');
    expect(bracketed.statusCode).toBe(200);
    expect(Array.isArray(bracketed.json())).toBe(true);
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'limit=1&limit=2']) {
      expect((await api('GET', `/production-requests?${query}`)).statusCode, query).toBe(400);
    }
    expect((await api('POST', '/production-requests/nope/cancel', {})).statusCode).toBe(404);
    expect((await api('POST', '/production-requests/nope/cancel', { reason: { $gt: '' } })).statusCode).toBe(
      400,
    );
    expect(
      (await api('POST', '/production-requests/nope/cancel', { reason: 'x'.repeat(501) })).statusCode,
    ).toBe(400);
  });

  it('is for admins only: 401 signed out, 403 for a shopper, 403 without a CSRF token', async () => {
    const routes: [Method, string][] = [
      ['GET', '/production-requests'],
      ['POST', '/production-requests'],
      ['POST', '/production-requests/x/cancel'],
      ['GET', '/factory/board'],
      ['GET', '/factory/events'],
    ];
    for (const [method, path] of routes) {
      const payload = method === 'POST' ? { productId: 'lamp', qty: 1 } : undefined;
      expect((await as(undefined, method, path, payload)).statusCode, `${method} ${path}`).toBe(401);
      expect((await as(shopper, method, path, payload)).statusCode, `${method} ${path}`).toBe(403);
    }
    const noToken = await testApp.app.inject({
      method: 'POST',
      url: '/api/admin/production-requests',
      headers: { cookie: admin.cookie },
      payload: { productId: 'lamp', qty: 1 },
    });
    expect(noToken.statusCode).toBe(403);
  });
});

describe('factory board', () => {
  const workItems = () => testApp.db.collection<WorkItemDocument>(WORK_ITEMS);

  it('shows columns by stage, capacity in use, backorder items with their order and units finished per hour', async () => {
    const now = Date.now();
    await workItems().insertMany([
      {
        _id: 'bo:order-1:lamp',
        partition_key: 'lamp',
        productId: 'lamp',
        warehouse: 'main',
        qty: 1,
        source: { kind: 'backorder', fulfilmentId: 'order-1', productId: 'lamp' },
        stage: 'New',
        history: [{ stage: 'New', at: new Date(now) }],
        version: 1,
      },
      {
        _id: 'pr:finished-earlier',
        partition_key: 'stool',
        productId: 'stool',
        warehouse: 'main',
        qty: 4,
        source: { kind: 'production_request', requestId: 'finished-earlier' },
        stage: 'InventoryAvailable',
        buildStartedAt: new Date(now - 3 * 3600_000),
        buildEndsAt: new Date(now - 2 * 3600_000),
        completedAt: new Date(now - 2 * 3600_000),
        history: [{ stage: 'InventoryAvailable', at: new Date(now - 2 * 3600_000) }],
        version: 1,
      },
    ]);
    const response = await api('GET', '/factory/board');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const board = response.json() as {
      columns: { stage: string; count: number; items: { id: string; orderId?: string }[] }[];
      capacity: { inUse: number; total: number };
      finishedPerHour: { hour: string; units: number }[];
    };
    expect(board.columns.map((column) => column.stage)).toContain('Building');
    expect(board.capacity.total).toBe(1);
    expect(board.capacity.inUse).toBeLessThanOrEqual(1);
    const newColumn = board.columns.find((column) => column.stage === 'New');
    expect(newColumn?.items).toContainEqual(
      expect.objectContaining({ id: 'bo:order-1:lamp', orderId: 'order-1' }),
    );
    expect(board.finishedPerHour).toHaveLength(12);
    const twoHoursAgo = Math.floor((now - 2 * 3600_000) / 3600_000) * 3600_000;
    expect(board.finishedPerHour.find((bar) => bar.hour === new Date(twoHoursAgo).toISOString())?.units).toBe(
      4,
    );
  });

  it('is live over SSE: a snapshot at once, then each work item change and a fresh snapshot', async () => {
    const response = await get(`${base}/api/admin/factory/events`, {
      accept: 'text/event-stream',
      cookie: admin.cookie,
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const events = new EventReader(response);
    expect((await events.next()).event).toBe('board');
    // A second page shares the instance's one subscription.
    const other = await get(`${base}/api/admin/factory/events`, {
      accept: 'text/event-stream',
      cookie: admin.cookie,
    });
    const otherEvents = new EventReader(other);
    await otherEvents.next((event) => event.event === 'board');
    expect(testApp.app.factoryBoard.size).toBe(2);

    await workItems().updateOne(
      { _id: 'bo:order-1:lamp' },
      { $set: { stage: 'Cancelled', cancellation: { reason: 'test' } }, $inc: { version: 1 } },
    );
    const delta = await events.next((event) => event.event === 'item');
    expect(delta.data).toMatchObject({ id: 'bo:order-1:lamp', stage: 'Cancelled', orderId: 'order-1' });
    await otherEvents.next((event) => event.event === 'item');
    const snapshot = await events.next(
      (event) =>
        event.event === 'board' &&
        (event.data as { columns: { stage: string; items: { id: string }[] }[] }).columns.some(
          (column) =>
            column.stage === 'Cancelled' && column.items.some((item) => item.id === 'bo:order-1:lamp'),
        ),
    );
    expect(snapshot.event).toBe('board');

    events.cancel();
    other.close();
    await eventually(async () => testApp.app.factoryBoard.size === 0);
  });

  it('serves many pages of one admin from one subscription: every change to each, one read per burst', async () => {
    const pages = 30; // more than LIVE_STREAMS_PER_CLIENT (20): board pages are counted apart
    const open = await Promise.all(
      Array.from({ length: pages }, () =>
        get(`${base}/api/admin/factory/events`, { accept: 'text/event-stream', cookie: admin.cookie }),
      ),
    );
    expect(open.map((response) => response.status)).toEqual(Array(pages).fill(200));
    const readers = open.map((response) => new EventReader(response));
    await Promise.all(readers.map((reader) => reader.next((event) => event.event === 'board')));
    expect(testApp.app.factoryBoard.size).toBe(pages);
    // A storefront stream of the same admin is still allowed.
    const storefront = await get(`${base}/api/products/lamp/availability/events`, { cookie: admin.cookie });
    expect(storefront.status).toBe(200);
    storefront.close();

    const readsBefore = testApp.app.factoryBoard.reads;
    const changes = 25;
    for (let i = 0; i < changes; i++) {
      await workItems().insertOne({
        _id: `bo:burst-${i}:lamp`,
        partition_key: 'lamp',
        productId: 'lamp',
        warehouse: 'main',
        qty: 1,
        source: { kind: 'backorder', fulfilmentId: `burst-${i}`, productId: 'lamp' },
        stage: 'Failed',
        failure: { reason: 'test' },
        history: [{ stage: 'Failed', at: new Date() }],
        version: 1,
      });
    }
    const hasLast = (event: { event: string; data: unknown }) =>
      event.event === 'board' &&
      (event.data as { columns: { stage: string; count: number }[] }).columns.some(
        (column) => column.stage === 'Failed' && column.count >= changes,
      );
    await Promise.all(
      readers.map(async (reader) => {
        for (let i = 0; i < changes; i++) {
          const delta = await reader.next((event) => event.event === 'item');
          expect((delta.data as { id: string }).id).toBe(`bo:burst-${i}:lamp`);
        }
        await reader.next(hasLast);
      }),
    );
    // Snapshots were read per burst for all pages, not per page or per change.
    expect(testApp.app.factoryBoard.reads - readsBefore).toBeLessThan(changes);
    expect(testApp.app.factoryBoard.reads - readsBefore).toBeGreaterThan(0);

    for (const response of open) response.close();
    await eventually(async () => testApp.app.factoryBoard.size === 0);
  });

  it('refuses the event stream signed out (401) before it starts', async () => {
    const signedOut = await get(`${base}/api/admin/factory/events`);
    expect(signedOut.status).toBe(401);
    expect(await signedOut.json()).toMatchObject({ error: 'UNAUTHORIZED' });
  });
});
