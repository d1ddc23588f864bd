import { startMongoServer } from '@az-shop/mongo-emulator';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PARKED_EVENTS } from '../../src/processor/parking';
import { createProcessor } from '../../src/processor/processor';
import { delay, quietLogger } from './helpers';

let server: Awaited<ReturnType<typeof startMongoServer>>;
let client: MongoClient;
/** `createIndexes` commands on parked_events, as the driver's command monitoring sees them. */
let created = 0;

beforeAll(async () => {
  server = await startMongoServer({ port: 0, inMemory: true });
  client = new MongoClient(server.uri, { monitorCommands: true });
  client.on('commandStarted', (event) => {
    if (event.command.createIndexes === PARKED_EVENTS) created++;
  });
  await client.connect();
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

it('creates the parked index once per process and Db, however many processors start and restart on it', async () => {
  const db = client.db(`parked_indexes_${process.pid}`);
  const build = () =>
    ['a', 'b', 'c'].map((name) =>
      createProcessor({
        name: `test.parked.${name}`,
        db,
        collection: `events_${name}`,
        logger: quietLogger,
        replayPollMs: 0,
        handle: async () => {},
      }),
    );
  // Twice, as a colour gate does on every activation: fresh processors on the service's one Db.
  for (let round = 0; round < 2; round++) {
    const processors = build();
    await Promise.all(processors.map((processor) => processor.start()));
    await delay(300); // the creation is not awaited by start
    await Promise.all(processors.map((processor) => processor.stop()));
  }
  expect(created).toBe(1);
  const indexes = await db.collection(PARKED_EVENTS).indexes();
  expect(indexes.some((index) => index.name === 'by_processor_status')).toBe(true);
});
