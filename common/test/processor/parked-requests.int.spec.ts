import { startMongoServer } from '@az-shop/mongo-emulator';
import { type Db, type Document, type MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProcessor,
  listParked,
  PARKED_EVENT_REQUESTS,
  PARKED_EVENTS,
  type ParkedAction,
  type ParkedEvent,
  type ParkedEventRequest,
  type ProcessorEvent,
  requestIdFor,
  requestReplay,
  STALE_REPLAY_MS,
} from '../../src/processor';
import { connect, delay, quietLogger, waitFor } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  ({ client, db } = await connect(server.uri, `requests_${process.pid}`));
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** What web does: one request document in its own collection. */
async function ask(parked: ParkedEvent, action: ParkedAction, processor = parked.processor) {
  const request: ParkedEventRequest = {
    _id: requestIdFor(parked),
    partition_key: processor,
    processor,
    parkedId: parked._id.toHexString(),
    action,
    requestedBy: { sub: 'admin-sub', name: 'Admin' },
    requestedAt: new Date(),
  };
  await db.collection<ParkedEventRequest>(PARKED_EVENT_REQUESTS).insertOne(request);
  return request;
}

const parkedDoc = (id: ParkedEvent['_id']) =>
  db.collection<ParkedEvent>(PARKED_EVENTS).findOne({ _id: id }) as Promise<ParkedEvent>;

describe('admin requests for parked events (web-owned parked_event_requests)', () => {
  it('replays or discards on request, once per request, and ignores requests for other processors', async () => {
    const calls = new Map<string, number>();
    let healed = false;
    const handle = async (event: ProcessorEvent) => {
      const id = String(event.documentKey._id);
      calls.set(id, (calls.get(id) ?? 0) + 1);
      if (!healed) throw new Error(`cannot handle ${id}`);
    };
    const processor = createProcessor({
      name: 'test.requests',
      db,
      collection: 'events',
      logger: quietLogger,
      maxAttempts: 2,
      retryBaseMs: 5,
      replayPollMs: 50,
      handle,
    });
    await processor.start();
    await waitFor(() => processor.status().state === 'streaming');
    await db
      .collection<Document>('events')
      .insertMany(['r', 'd', 'f', 'o'].map((id) => ({ _id: id, partition_key: id }) as Document));
    await waitFor(async () => (await listParked(db, 'test.requests')).length === 4);
    const parked = new Map(
      (await listParked(db, 'test.requests')).map((doc) => [String(doc.event.documentKey._id), doc]),
    );
    const byKey = (key: string) => parked.get(key) as ParkedEvent;

    // A replay that still fails: taken on once, the event parked again with the request recorded.
    const failing = await ask(byKey('f'), 'replay');
    await waitFor(async () => (await parkedDoc(byKey('f')._id)).handledRequests?.length === 1);
    await waitFor(async () => (await parkedDoc(byKey('f')._id)).status === 'parked');
    // The request stays in web's collection; several polls later it has still run once.
    await delay(300);
    const f = await parkedDoc(byKey('f')._id);
    expect(calls.get('f')).toBe(3);
    expect(f.handledRequests).toEqual([failing._id]);
    expect(f.lastRequest).toMatchObject({ id: failing._id, action: 'replay' });
    expect(f.attempts).toBe(3);
    // The next request for it gets the next id: a second ask for the same turn collides.
    expect(requestIdFor(f)).toBe(`${f._id.toHexString()}:1`);
    await expect(ask(byKey('f'), 'replay')).rejects.toMatchObject({ code: 11000 });

    healed = true;
    // A request naming another processor is not this processor's to take on.
    await ask(byKey('o'), 'replay', 'test.someone-else');
    const replay = await ask(byKey('r'), 'replay');
    const discard = await ask(byKey('d'), 'discard');
    await waitFor(async () => (await parkedDoc(byKey('r')._id)).status === 'replayed');
    await waitFor(async () => (await parkedDoc(byKey('d')._id)).status === 'discarded');
    expect(calls.get('r')).toBe(3);
    expect(calls.get('d')).toBe(2); // the two attempts before parking; none for the discard
    expect((await parkedDoc(byKey('r')._id)).handledRequests).toEqual([replay._id]);
    expect((await parkedDoc(byKey('d')._id)).lastRequest).toMatchObject({
      id: discard._id,
      action: 'discard',
    });
    await delay(300);
    const other = await parkedDoc(byKey('o')._id);
    expect(other.status).toBe('parked');
    expect(other.handledRequests).toBeUndefined();
    expect(calls.get('o')).toBe(2);

    // The CLI's way still works beside it.
    expect(await requestReplay(db, 'test.requests', byKey('o')._id)).toBe(1);
    await waitFor(async () => (await parkedDoc(byKey('o')._id)).status === 'replayed');
    expect(calls.get('r')).toBe(3);
    expect((await listParked(db, 'test.requests')).map((doc) => doc.event.documentKey._id)).toEqual(['f']);

    // A replay cut short by a dead instance is parked again once stale, a fresh one is left alone.
    const stale = { ...byKey('f'), _id: new ObjectId(), status: 'replaying' as const };
    const fresh = { ...stale, _id: new ObjectId(), updatedAt: new Date() };
    stale.updatedAt = new Date(Date.now() - STALE_REPLAY_MS - 1000);
    await db.collection<ParkedEvent>(PARKED_EVENTS).insertMany([stale, fresh]);
    await waitFor(async () => (await parkedDoc(stale._id)).status === 'parked');
    expect((await parkedDoc(fresh._id)).status).toBe('replaying');
    await processor.stop();
  });
});
