import { startMongoServer } from '@az-shop/mongo-emulator';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanDocuments } from '../../src/processor/catch-up';
import { connect, insertEvents } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  ({ client } = await connect(server.uri, 'unused'));
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

describe('catch-up scan', () => {
  it('reads every document page by page, in _id order', async () => {
    const db = client.db('scan_pages');
    await insertEvents(db, 'events', 0, 25, 5);
    const ids: unknown[] = [];
    for await (const doc of scanDocuments(db.collection('events'), {}, 10)) ids.push(doc._id);
    expect(ids).toHaveLength(25);
    expect([...ids].sort()).toEqual(ids);
  });

  // A stop while the stream opened once made the scan end quietly with nothing read; the group took
  // that for a finished catch-up and checkpointed past documents nobody handled (the ordering crash test).
  it('aborted before or during the scan, it throws instead of ending as if complete', async () => {
    const db = client.db('scan_abort');
    await insertEvents(db, 'events', 0, 25, 5);
    const before = new AbortController();
    before.abort();
    const untouched = async () => {
      for await (const _ of scanDocuments(db.collection('events'), {}, 10, before.signal));
    };
    await expect(untouched()).rejects.toThrow(/abort/i);

    const during = new AbortController();
    let read = 0;
    const cut = async () => {
      for await (const _ of scanDocuments(db.collection('events'), {}, 10, during.signal)) {
        if (++read === 12) during.abort();
      }
    };
    await expect(cut()).rejects.toThrow(/abort/i);
    expect(read).toBe(12);
  });
});
