import {
  CARTS,
  type CartDocument,
  type MongoFlavour,
  PRODUCTS,
  type ProductDocument,
  SESSIONS,
  type SessionDocument,
  ttlUntil,
} from '@az-shop/common';
import { eventually, startTestMongo, type TestMongo } from '@az-shop/common/testing';
import Fastify from 'fastify';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys, TokenCipher } from '../src/auth/session-keys';
import { SessionStore } from '../src/auth/session-store';
import { cartService } from '../src/cart/service';
import {
  ensureRateLimitIndexes,
  mongoRateLimitStore,
  RATE_LIMITS,
} from '../src/limits/mongo-rate-limit-store';
import { indexesPlugin } from '../src/plugins/app/indexes';
import { mongoPlugin } from '../src/plugins/app/mongo';
import { mongoProductRepository } from '../src/products/repository';

/**
 * Web's expiring documents go on both flavours: against the dev server as MongoDB (TTL index on the
 * date field) and as Cosmos DB RU (which refuses that index and expires only by `_ts` and `ttl`).
 * The dev server's TTL monitor runs every second.
 */
describe.each<{ flavour: MongoFlavour }>([{ flavour: 'mongo' }, { flavour: 'cosmos' }])(
  'expiring documents ($flavour)',
  ({ flavour }) => {
    let mongo: TestMongo;
    let db: Db;
    beforeAll(async () => {
      mongo = await startTestMongo({ cosmos: flavour === 'cosmos' });
      db = mongo.freshDb();
      // Web's own index set-up, as at startup.
      const app = Fastify();
      await app.register(mongoPlugin, { db, flavour });
      await app.register(indexesPlugin);
      await app.ready();
      await app.close();
    });
    afterAll(async () => mongo?.stop());

    it('given an anonymous and a signed-in cart, then the anonymous one disappears after its retention and the user one stays', async () => {
      const chair: ProductDocument = {
        _id: 'chair',
        partition_key: 'seating',
        kind: 'product',
        categoryId: 'seating',
        heading: 'Chair',
        description: 'A chair',
        price: { amount: 1999, currency: 'EUR' },
        position: 'normal',
      };
      await db.collection<ProductDocument>(PRODUCTS).insertOne(chair);
      // mongo: the TTL index on expiresAt; Cosmos DB RU refuses that one and takes `_ts` with -1.
      const indexes = await db.collection(CARTS).listIndexes().toArray();
      const ttlIndexes = indexes.filter((index) => index.expireAfterSeconds !== undefined);
      expect(ttlIndexes.map((index) => [index.key, index.expireAfterSeconds])).toEqual(
        flavour === 'mongo' ? [[{ expiresAt: 1 }, 0]] : [[{ _ts: 1 }, -1]],
      );
      const carts = cartService(db, mongoProductRepository(db), { anonymousCartMs: 1_500 });
      const stored = db.collection<CartDocument>(CARTS);

      await carts.add('anon:visitor', 'chair', 1);
      await carts.add('user:shopper', 'chair', 1);
      // An anonymous cart's change carries its expiry afresh; a user's cart has neither expiry nor ttl.
      await carts.add('anon:visitor', 'chair', 1);
      const anonymous = await stored.findOne({ _id: 'anon:visitor' });
      expect(anonymous?.ttl).toBe(
        ttlUntil(anonymous?.expiresAt ?? new Date(0), anonymous?.updatedAt ?? new Date()),
      );
      expect(await stored.findOne({ _id: 'user:shopper' })).not.toHaveProperty('ttl');

      await eventually(async () => (await stored.countDocuments({ _id: 'anon:visitor' })) === 0, {
        what: 'the anonymous cart to expire',
      });
      expect(await carts.count('user:shopper')).toBe(1);
      expect(await stored.findOne({ _id: 'user:shopper' })).not.toHaveProperty('expiresAt');
    });

    it('given a session written after it started, then it still disappears at its expiresAt: every write rewrites its ttl', async () => {
      const sessions = new SessionStore({
        db,
        flavour,
        policy: { absoluteMs: 2_000, idleMs: 60_000, rolesRecheckMs: 60_000 },
        cipher: new TokenCipher(deriveKeys(['test-secret-test-secret-test-secret'], 'refresh-tokens')),
        cacheMs: 0,
      });
      await sessions.createIndexes();
      const stored = db.collection<SessionDocument>(SESSIONS);
      const started = new Date();
      const user = { sub: 'shopper', name: 'Shopper', roles: [] };
      const kept = await sessions.create({ user }, started);
      const ended = await sessions.create({ user }, started);
      const session = await sessions.find(kept);
      if (!session) throw new Error('the session was not stored');

      const later = new Date(started.getTime() + 1_000);
      await sessions.touch(session, later);
      expect((await stored.findOne({ _id: kept }))?.ttl).toBe(ttlUntil(session.expiresAt, later));
      expect(await sessions.endAll('shopper', later)).toBe(2);
      expect((await stored.findOne({ _id: ended }))?.ttl).toBe(ttlUntil(session.expiresAt, later));

      await eventually(async () => (await stored.countDocuments({ sub: 'shopper' })) === 0, {
        what: 'the sessions to expire',
      });
    });

    it('given a rate-limit window that has ended, then its counter disappears', async () => {
      await ensureRateLimitIndexes(db, flavour);
      const Store = mongoRateLimitStore(db);
      const store = new Store({});
      const result = await new Promise<{ current: number; ttl: number }>((resolve, reject) =>
        store.incr(
          'client-1',
          (error, counted) => (error || !counted ? reject(error) : resolve(counted)),
          2_000,
          10,
        ),
      );
      expect(result.current).toBe(1);
      const counters = db.collection<{ _id: string; expiresAt: Date; ttl: number }>(RATE_LIMITS);
      const counter = await counters.findOne({ _id: { $regex: '^client-1@' } });
      // At most two seconds until the window's end, rounded up.
      expect(counter?.ttl).toBeGreaterThanOrEqual(1);
      expect(counter?.ttl).toBeLessThanOrEqual(2);

      await eventually(async () => (await counters.countDocuments()) === 0, {
        what: 'the window counter to expire',
      });
    });
  },
);
