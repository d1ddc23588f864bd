import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, silentLogger } from '@az-shop/common/testing';
import { type RunningMongoServer, startMongoServer } from '@az-shop/mongo-emulator';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChangeHub, EVERY_KEY } from '../src/live/change-hub';

interface Tracked {
  _id: string;
  orderId: string;
  stage: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('ChangeHub', () => {
  it('resumes after the database restarts, with the changes made while it was away, in order', async () => {
    const dbPath = mkdtempSync(join(tmpdir(), 'hub-'));
    cleanups.push(async () => rmSync(dbPath, { recursive: true, force: true }));
    let server: RunningMongoServer = await startMongoServer({ port: 0, dbPath, logLevel: 'error' });
    const port = server.port;
    cleanups.push(() => server.stop());

    // Short, so the driver's own resume attempt gives up while the server is down and the hub's
    // reopen (with its last resume token) has to do the work.
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 300 });
    cleanups.push(() => client.close());
    const collection = client.db('hub_test').collection<Tracked>('fulfilments');
    const log = silentLogger.child({});
    const warn = vi.spyOn(log, 'warn');
    const hub = new ChangeHub<Tracked>({
      name: 'fulfilments',
      collection,
      keyOf: (doc) => doc.orderId,
      log,
      retryBaseMs: 50,
      retryMaxMs: 200,
    });
    cleanups.push(() => hub.close());

    const seen: string[] = [];
    await hub.subscribe('o-1', (doc) => seen.push(doc.stage));
    await collection.insertOne({ _id: 'o-1', orderId: 'o-1', stage: 'Placed' });
    await collection.insertOne({ _id: 'o-2', orderId: 'o-2', stage: 'Placed' });
    await eventually(async () => seen.length === 1, { what: 'the first change' });

    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the hub's stream fails meanwhile
    server = await startMongoServer({ port, dbPath, logLevel: 'error' });
    // Written by another client at once, most likely before the hub's client finds the server
    // again (its monitor retries every 500 ms): only resuming from the last token delivers them.
    const writer = new MongoClient(server.uri);
    cleanups.push(() => writer.close());
    const written = writer.db('hub_test').collection<Tracked>('fulfilments');
    // Documents of their own: an update's event carries the document as it is at lookup time.
    for (const stage of ['Reserved', 'Picking', 'Shipped'])
      await written.insertOne({ _id: `o-1-${stage}`, orderId: 'o-1', stage });

    await eventually(async () => seen.length === 4, { what: 'the changes made across the restart' });
    expect(seen).toEqual(['Placed', 'Reserved', 'Picking', 'Shipped']);
    // The hub's own reopen ran (not only the driver's one resume attempt).
    expect(warn).toHaveBeenCalledWith(expect.anything(), 'change stream failed; reopening');
  });

  // Also against the dev server behaving like Cosmos DB: the hub's stream has the shape it requires.
  it.each([{ flavour: 'mongo' }, { flavour: 'cosmos' }])(
    'gives a subscriber of EVERY_KEY the changes of every key, beside the subscribers of each key ($flavour)',
    async ({ flavour }) => {
      const server = await startMongoServer({
        port: 0,
        inMemory: true,
        logLevel: 'error',
        cosmos: flavour === 'cosmos',
      });
      cleanups.push(() => server.stop());
      const client = new MongoClient(server.uri);
      cleanups.push(() => client.close());
      const collection = client.db('hub_test').collection<Tracked>('fulfilments');
      const hub = new ChangeHub<Tracked>({
        name: 'fulfilments',
        collection,
        keyOf: (doc) => doc.orderId,
        log: silentLogger,
      });
      cleanups.push(() => hub.close());

      const every: string[] = [];
      const one: string[] = [];
      await hub.subscribe(EVERY_KEY, (doc) => every.push(doc.orderId));
      await hub.subscribe('o-1', (doc) => one.push(doc.orderId));
      await collection.insertMany([
        { _id: 'a', orderId: 'o-1', stage: 'Placed' },
        { _id: 'b', orderId: 'o-2', stage: 'Placed' },
      ]);
      await eventually(async () => every.length === 2, { what: 'both changes' });
      expect(every).toEqual(['o-1', 'o-2']);
      expect(one).toEqual(['o-1']);
    },
  );

  // Web's start opens two hubs (catalog, carts): each used to wait out the first getMore, which the
  // server holds up to a second when nothing changed.
  it('opens once the aggregate answered, not after the first getMore, and sees a write made at once', async () => {
    const server = await startMongoServer({ port: 0, inMemory: true, logLevel: 'error' });
    cleanups.push(() => server.stop());
    const client = new MongoClient(server.uri, { monitorCommands: true });
    cleanups.push(() => client.close());
    const answered: string[] = [];
    client.on('commandSucceeded', (event) => answered.push(event.commandName));
    const collection = client.db('hub_test').collection<Tracked>('fulfilments');
    const hub = new ChangeHub<Tracked>({
      name: 'fulfilments',
      collection,
      keyOf: (doc) => doc.orderId,
      log: silentLogger,
    });
    cleanups.push(() => hub.close());

    const seen: string[] = [];
    await hub.subscribe('o-1', (doc) => seen.push(doc.stage));

    expect(answered).toContain('aggregate');
    expect(answered).not.toContain('getMore');
    await collection.insertOne({ _id: 'o-1', orderId: 'o-1', stage: 'Placed' });
    await eventually(async () => seen.length === 1, { what: 'the change written right after opening' });
    expect(seen).toEqual(['Placed']);
  });
});
