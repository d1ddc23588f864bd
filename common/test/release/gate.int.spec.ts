import { eventually, silentLogger, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessor } from '../../src/processor';
import { createServiceReactions, type ServiceReactions } from '../../src/reactions/service-reactions';
import { runReleaseCli } from '../../src/release/cli';
import { readActiveColour, setActiveColour } from '../../src/release/control';
import { colourGatedReactions } from '../../src/release/gate';

let mongo: TestMongo;

beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.stop();
});

/** One colour of a service with one real processor that records what it handled. */
function colourOf(db: Db, colour: 'blue' | 'green', handled: string[]): ServiceReactions {
  return colourGatedReactions({
    db,
    logger: silentLogger,
    colour,
    pollMs: 50,
    build: () =>
      createServiceReactions({
        processors: [
          createProcessor({
            name: 'test.gated',
            db,
            collection: 'gated',
            logger: silentLogger,
            leases: { ttlMs: 900, colour },
            handle: async (event) => {
              handled.push(`${colour}:${String(event.documentKey._id)}`);
            },
          }),
        ],
        loops: [],
      }),
  });
}

describe('a colour-gated service', () => {
  it('stands by (ready, saying so) until its colour is active, then handles; stops handling when another is', async () => {
    const db = mongo.freshDb();
    const handled: string[] = [];
    const blue = colourOf(db, 'blue', handled);
    const green = colourOf(db, 'green', handled);
    await setActiveColour(db, 'blue', 'test');
    await Promise.all([blue.start(), green.start()]);
    try {
      const standby = await green.checks()['test.gated']!();
      expect(standby).toMatchObject({
        ok: true,
        details: { state: 'standby', colour: 'green', activeColour: 'blue' },
      });

      await db.collection('gated').insertOne({ _id: 'a' as never, partition_key: 'a' });
      await eventually(async () => handled.includes('blue:a'), { what: 'blue handles a' });

      await setActiveColour(db, 'green', 'test');
      await eventually(
        async () =>
          ((await blue.checks()['test.gated']!()) as { details: { state: string } }).details.state ===
          'standby',
        { what: 'blue stands by' },
      );
      await db.collection('gated').insertOne({ _id: 'b' as never, partition_key: 'b' });
      await eventually(async () => handled.includes('green:b'), {
        timeoutMs: 20_000,
        what: 'green handles b',
      });
      // Delivery is at least once (a lapsed lease re-delivers), but only ever to the active colour.
      const coloursThatHandled = (id: string) =>
        [...new Set(handled.filter((entry) => entry.endsWith(`:${id}`)))].map((entry) => entry.split(':')[0]);
      expect(coloursThatHandled('a')).toEqual(['blue']);
      expect(coloursThatHandled('b')).toEqual(['green']);
    } finally {
      await Promise.all([blue.stop(), green.stop()]);
    }
  });

  it('without a colour there is no gate: the reactions run as built', () => {
    const reactions = createServiceReactions({ processors: [], loops: [] });
    expect(
      colourGatedReactions({
        db: mongo.freshDb(),
        logger: silentLogger,
        colour: undefined,
        build: () => reactions,
      }),
    ).toBe(reactions);
  });
});

describe('release.js', () => {
  it('refuses bad arguments with exit 2, and pause leaves no colour active', async () => {
    const db = mongo.freshDb();
    const previous = process.env.MONGO_DB;
    process.env.MONGO_DB = mongo.uri.replace(/\/?(\?|$)/, `/${db.databaseName}$1`);
    const written: string[] = [];
    const write = process.stdout.write;
    const stderr = process.stderr.write;
    process.stdout.write = ((chunk: string) =>
      written.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await runReleaseCli(['handover'])).toBe(2);
      expect(await runReleaseCli(['handover', '--colour', 'purple'])).toBe(2);
      expect(await runReleaseCli(['promote'])).toBe(2);
      await setActiveColour(db, 'blue', 'test');
      expect(await runReleaseCli(['pause'])).toBe(0);
      expect(await readActiveColour(db)).toBeNull();
      expect(JSON.parse(written.at(-1)!)).toEqual({ paused: true, from: 'blue' });
    } finally {
      process.stdout.write = write;
      process.stderr.write = stderr;
      process.env.MONGO_DB = previous;
    }
  });
});
