/**
 * Cosmos DB's 16500 throttling met by a request handler, against the dev server behaving like Cosmos
 * DB: a read runs again and answers; a write is never run again and answers 503 with Retry-After;
 * a read past its budget answers the same 503.
 */
import type { CosmosOptions } from '@az-shop/mongo-emulator';
import type { FastifyInstance } from 'fastify';
import type { Collection, MongoClient } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServiceApp, throttleRetryPlugin } from '../src/http';
import { silentLogger, startTestMongo, type TestMongo } from '../src/testing';

const APP = 'throttled-service';
// Read on every command, so a test turns throttling up and down while the server runs.
const cosmos: CosmosOptions = { throttleRate: 0, throttleAppNames: [APP], retryAfterMs: 1200 };

let mongo: TestMongo;
let serviceClient: MongoClient;
let app: FastifyInstance;
let items: Collection<{ _id: string; n: number }>;
let writes = 0;

async function throttledCount(): Promise<number> {
  const metrics = (await app.inject('/metrics')).body;
  const line = metrics
    .split('\n')
    .find((l) => /^mongo_throttled_total\{[^}]*component="http"[^}]*\} /.test(l));
  return line ? Number(line.split(' ')[1]) : 0;
}

beforeAll(async () => {
  mongo = await startTestMongo({ cosmos });
  serviceClient = await mongo.connect(APP);
  const db = serviceClient.db('throttle_retry');
  items = db.collection('items');
  await mongo.client
    .db('throttle_retry')
    .collection<{ _id: string; n: number }>('items')
    .insertOne({ _id: 'a', n: 1 });
  app = await createServiceApp({ service: 'test', logger: silentLogger, checks: {} });
  // Many runs allowed, so a read at a 50 % throttling rate is all but sure to get through.
  await app.register(throttleRetryPlugin, { maxAttempts: 30, budgetMs: 60_000 });
  app.get('/items/:id', async (request) => {
    const { id } = request.params as { id: string };
    return items.findOne({ _id: id });
  });
  app.post('/items', async () => {
    writes++;
    await items.insertOne({ _id: `w${writes}`, n: writes });
    return { ok: true };
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await mongo?.stop();
});

beforeEach(() => {
  cosmos.throttleRate = 0;
  cosmos.retryAfterMs = 1200;
});

describe('a handler meets Cosmos DB throttling (16500)', () => {
  it('a read is run again while throttled, and every request answers; each refusal is counted', async () => {
    cosmos.retryAfterMs = 5;
    const before = await throttledCount();
    cosmos.throttleRate = 0.5;
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.inject('/items/a')));
    cosmos.throttleRate = 0;
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual({ _id: 'a', n: 1 });
    }
    expect(await throttledCount()).toBeGreaterThan(before);
  });

  it('a write is not run again: 503 THROTTLED with Retry-After from RetryAfterMs, nothing written', async () => {
    cosmos.throttleRate = 1;
    const before = writes;
    const answer = await app.inject({ method: 'POST', url: '/items' });
    cosmos.throttleRate = 0;
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('2');
    expect(answer.json()).toEqual({
      error: 'THROTTLED',
      message: 'The shop is busy right now: try again in a moment',
    });
    expect(writes).toBe(before + 1);
    expect(await items.countDocuments({ _id: `w${writes}` })).toBe(0);
    // The client's retry, once the rate allows it, writes.
    expect((await app.inject({ method: 'POST', url: '/items' })).statusCode).toBe(200);
    expect(await items.countDocuments({ _id: `w${writes}` })).toBe(1);
  });

  it('a read still throttled when its budget is spent answers 503 with Retry-After', async () => {
    const tight = await createServiceApp({ service: 'test', logger: silentLogger, checks: {} });
    await tight.register(throttleRetryPlugin, { maxAttempts: 2, budgetMs: 60_000 });
    let runs = 0;
    tight.get('/items/:id', async () => {
      runs++;
      return items.findOne({ _id: 'a' });
    });
    cosmos.retryAfterMs = 5;
    cosmos.throttleRate = 1;
    try {
      const answer = await tight.inject('/items/a');
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.json()).toMatchObject({ error: 'THROTTLED' });
      expect(runs).toBe(2);
    } finally {
      cosmos.throttleRate = 0;
      await tight.close();
    }
  });
});
