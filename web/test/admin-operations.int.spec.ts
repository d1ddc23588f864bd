import {
  createProcessor,
  PARKED_EVENT_REQUESTS,
  PARKED_EVENTS,
  type ParkedEvent,
  type Processor,
  type ProcessorEvent,
} from '@az-shop/common';
import { type Document, ObjectId } from 'mongodb';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AUDIT } from '../src/admin/audit';
import { closeTestApp, csrfFor, getTestApp, loginAs, type TestApp } from './helper';

let testApp: TestApp;
let admin: { cookie: string; token: string };
let shopper: string;
const processors: Processor[] = [];

beforeAll(async () => {
  testApp = await getTestApp();
  admin = await csrfFor(testApp.app, await loginAs(testApp.app, 'admin@example.com'));
  shopper = await loginAs(testApp.app, 'shopper@example.com');
});

afterAll(async () => {
  await Promise.all(processors.map((p) => p.stop()));
  await closeTestApp();
});

function api(
  method: 'GET' | 'POST',
  path: string,
  options: { payload?: unknown; cookie?: string; csrf?: boolean } = {},
) {
  const cookie = options.cookie ?? admin.cookie;
  return testApp.app.inject({
    method,
    url: `/api/admin/operations${path}`,
    headers: {
      cookie,
      ...(options.csrf !== false && cookie === admin.cookie && { 'x-csrf-token': admin.token }),
    },
    ...(method === 'POST' && { payload: (options.payload ?? {}) as Record<string, unknown> }),
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A parked event written as a processor would, for the routes' own checks. */
async function parkedFixture(processor: string, status: ParkedEvent['status'] = 'parked'): Promise<string> {
  const now = new Date();
  const doc: ParkedEvent = {
    _id: new ObjectId(),
    processor,
    partitionKey: 'k1',
    bucket: 3,
    event: {
      operationType: 'insert',
      documentKey: { _id: 'doc-1' },
      fullDocument: null,
      token: undefined,
      source: 'stream',
    },
    error: { message: 'boom', stack: 'Error: boom\n    at secret/path.ts:1:1' },
    attempts: 5,
    status,
    parkedAt: now,
    updatedAt: now,
  };
  await testApp.db.collection<ParkedEvent>(PARKED_EVENTS).insertOne(doc);
  return doc._id.toHexString();
}

/** A real processor on a collection of its own; its handler fails the first `failures` times per document. */
async function startFlaky(name: string, failures: number) {
  const calls = new Map<string, number>();
  const processor = createProcessor({
    name,
    db: testApp.db,
    collection: `${name}_source`,
    logger: pino({ level: 'silent' }),
    leases: { ttlMs: 3000 },
    maxAttempts: 2,
    retryBaseMs: 5,
    replayPollMs: 100,
    handle: async (event: ProcessorEvent) => {
      const id = String(event.documentKey._id);
      const count = (calls.get(id) ?? 0) + 1;
      calls.set(id, count);
      if (count <= failures) throw new Error(`not yet: ${id} (${count})`);
    },
  });
  processors.push(processor);
  await processor.start();
  await waitFor(async () => processor.status().state === 'streaming');
  return { processor, calls };
}

async function parkedOf(processor: string) {
  return testApp.db.collection<ParkedEvent>(PARKED_EVENTS).find({ processor }).toArray();
}

describe('operations: access and input', () => {
  it('answers 401 signed out, 403 to a shopper, 403 to an admin without a CSRF token', async () => {
    const id = await parkedFixture('test.access');
    expect((await testApp.app.inject({ method: 'GET', url: '/api/admin/operations' })).statusCode).toBe(401);
    expect((await api('GET', '', { cookie: shopper })).statusCode).toBe(403);
    expect((await api('GET', '/parked', { cookie: shopper })).statusCode).toBe(403);
    expect((await api('POST', `/parked/${id}/replay`, { cookie: shopper })).statusCode).toBe(403);
    const noToken = await api('POST', `/parked/${id}/replay`, { csrf: false });
    expect(noToken.statusCode).toBe(403);
    expect(await testApp.db.collection(PARKED_EVENT_REQUESTS).countDocuments({ parkedId: id })).toBe(0);
  });

  it('refuses bad ids, unknown query fields, operators and bodies with 400; unknown ids with 404', async () => {
    for (const url of [
      '/parked?processor[$ne]=x',
      '/parked?processor=a%20b',
      '/parked?status=lost',
      '/parked?limit=0',
      '/parked?limit=999',
      '/parked?sort=1',
    ]) {
      const response = await api('GET', url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({ error: expect.any(String) });
    }
    const id = await parkedFixture('test.input');
    for (const path of [
      '/parked/not-an-id/replay',
      '/parked/{"$ne":null}/discard',
      `/parked/${id.toUpperCase()}/replay`,
    ]) {
      expect((await api('POST', path)).statusCode, path).toBe(400);
    }
    expect(
      (await api('POST', `/parked/${id}/replay`, { payload: { $where: 'sleep(1000)' } })).statusCode,
    ).toBe(400);
    expect((await api('POST', `/parked/${id}/discard`, { payload: { action: 'discard' } })).statusCode).toBe(
      400,
    );
    const unknown = await api('POST', `/parked/${new ObjectId().toHexString()}/replay`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'NOT_FOUND' });
    expect(await testApp.db.collection(PARKED_EVENT_REQUESTS).countDocuments({ parkedId: id })).toBe(0);
  });

  it('lists parked events without their stack; refuses a second request (409) and one for an event not parked (409), auditing the one it took', async () => {
    const id = await parkedFixture('test.conflict');
    const done = await parkedFixture('test.conflict', 'replayed');
    const listed = await api('GET', '/parked?processor=test.conflict&status=parked');
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([
      expect.objectContaining({
        id,
        processor: 'test.conflict',
        partitionKey: 'k1',
        event: { operationType: 'insert', documentKey: { _id: 'doc-1' }, source: 'stream' },
        error: 'boom',
        attempts: 5,
        status: 'parked',
      }),
    ]);
    expect(listed.body).not.toContain('secret/path');

    const first = await api('POST', `/parked/${id}/replay`);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({
      requestId: `${id}:0`,
      parked: { pendingRequest: { action: 'replay' } },
    });
    const again = await api('POST', `/parked/${id}/discard`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'CONFLICT' });
    const notParked = await api('POST', `/parked/${done}/replay`);
    expect(notParked.statusCode).toBe(409);
    expect(
      await testApp.db.collection(PARKED_EVENT_REQUESTS).countDocuments({ processor: 'test.conflict' }),
    ).toBe(1);

    const pending = (await api('GET', '/parked?processor=test.conflict')).json() as { id: string }[];
    expect(pending.find((p) => p.id === id)).toMatchObject({
      pendingRequest: { id: `${id}:0`, action: 'replay', requestedBy: 'admin@example.com' },
    });
    const audit = await testApp.db.collection<Document>(ADMIN_AUDIT).find({ 'target.id': id }).toArray();
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'parked_event.replay',
        target: { kind: 'parked_event', id },
        actor: expect.objectContaining({ email: 'admin@example.com' }),
        changes: { processor: 'test.conflict', requestId: `${id}:0` },
      }),
    ]);
  });
});

describe('operations: the hand-over to a running processor', () => {
  it('a parked event is replayed by its processor on an admin request, another discarded; the overview shows it', async () => {
    const name = 'test.flaky';
    const { processor, calls } = await startFlaky(name, 2);
    await testApp.db.collection<{ _id: string; partition_key: string }>(`${name}_source`).insertMany([
      { _id: 'order-1', partition_key: 'order-1' },
      { _id: 'order-2', partition_key: 'order-2' },
    ]);
    await waitFor(async () => (await parkedOf(name)).length === 2);

    const overview = await api('GET', '');
    expect(overview.statusCode).toBe(200);
    const view = (overview.json() as { processors: { name: string }[] }).processors.find(
      (p) => p.name === name,
    );
    expect(view).toMatchObject({
      health: 'running',
      owners: [{ owner: processor.status().owner, buckets: Array.from({ length: 16 }, (_, i) => i) }],
      unownedBuckets: [],
      parked: { parked: 2, replayed: 0 },
    });

    const listed = (await api('GET', `/parked?processor=${name}`)).json() as {
      id: string;
      event: { documentKey: { _id: string } };
    }[];
    const idOf = (doc: string) => listed.find((p) => p.event.documentKey._id === doc)?.id as string;
    expect((await api('POST', `/parked/${idOf('order-1')}/replay`)).statusCode).toBe(202);
    expect((await api('POST', `/parked/${idOf('order-2')}/discard`)).statusCode).toBe(202);

    const statusOf = async (doc: string) =>
      ((await api('GET', `/parked?processor=${name}`)).json() as { id: string; status: string }[]).find(
        (p) => p.id === idOf(doc),
      )?.status;
    await waitFor(async () => (await statusOf('order-1')) === 'replayed');
    await waitFor(async () => (await statusOf('order-2')) === 'discarded');
    expect(calls.get('order-1')).toBe(3); // two failures, then the replay
    expect(calls.get('order-2')).toBe(2); // never run for the discard
    const after = (await api('GET', `/parked?processor=${name}`)).json() as Record<string, unknown>[];
    expect(after.find((p) => p.id === idOf('order-1'))).toMatchObject({
      lastRequest: { id: `${idOf('order-1')}:0`, action: 'replay' },
    });
    expect(after.find((p) => p.id === idOf('order-1'))).not.toHaveProperty('pendingRequest');
    // Once done, it is no longer parked: a new request is refused.
    expect((await api('POST', `/parked/${idOf('order-1')}/replay`)).statusCode).toBe(409);
    const counts = (
      (await api('GET', '')).json() as { processors: { name: string; parked: unknown }[] }
    ).processors.find((p) => p.name === name);
    expect(counts?.parked).toMatchObject({ parked: 0, replayed: 1, discarded: 1 });
  });
});
