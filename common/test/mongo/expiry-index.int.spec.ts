import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureExpiryIndex } from '../../src/mongo/expiry';
import { startTestMongo, type TestMongo } from '../../src/testing';

const SESSIONS = { name: 'expire_sessions', field: 'expiresAt' };

/** The TTL indexes of a collection, as `key → expireAfterSeconds`. */
async function ttlIndexes(db: Db, collection: string): Promise<Record<string, number>> {
  const indexes = await db.collection(collection).indexes();
  return Object.fromEntries(
    indexes
      .filter((index) => index.expireAfterSeconds !== undefined)
      .map((index) => [Object.keys(index.key).join(','), index.expireAfterSeconds as number]),
  );
}

describe('ensureExpiryIndex against MongoDB', () => {
  let mongo: TestMongo;
  beforeAll(async () => {
    mongo = await startTestMongo();
  });
  afterAll(async () => mongo?.stop());

  it('given mongo mode, then the TTL index on the field, and nothing on _ts', async () => {
    const db = mongo.freshDb();
    await ensureExpiryIndex(db.collection('sessions'), { ...SESSIONS, afterSeconds: 60 }, 'mongo');
    expect(await ttlIndexes(db, 'sessions')).toEqual({ expiresAt: 60 });
  });

  it('given cosmos mode on a server that takes field TTL indexes (vCore), then the field index, and -1 on _ts refused', async () => {
    const db = mongo.freshDb();
    await ensureExpiryIndex(db.collection('sessions'), SESSIONS, 'cosmos');
    expect(await ttlIndexes(db, 'sessions')).toEqual({ expiresAt: 0 });
  });

  it('given both indexes refused, then the error: no expiry at all is not a start', async () => {
    const db = mongo.freshDb();
    // The name taken by an index on another field: the field index conflicts, and _ts's -1 is refused.
    await db.collection('sessions').createIndex({ other: 1 }, { name: SESSIONS.name });
    await expect(ensureExpiryIndex(db.collection('sessions'), SESSIONS, 'cosmos')).rejects.toThrow();
  });
});

describe('ensureExpiryIndex against Cosmos DB (the dev server as its RU API)', () => {
  let mongo: TestMongo;
  beforeAll(async () => {
    mongo = await startTestMongo({ cosmos: true });
  });
  afterAll(async () => mongo?.stop());

  it('given cosmos mode, then _ts with -1 (per-document ttl), the field index refused and the call fine', async () => {
    const db = mongo.freshDb();
    await ensureExpiryIndex(db.collection('sessions'), SESSIONS, 'cosmos');
    expect(await ttlIndexes(db, 'sessions')).toEqual({ _ts: -1 });
  });
});
