import { randomBytes } from 'node:crypto';
import {
  ensureExpiryIndex,
  expiryFields,
  type MongoFlavour,
  SESSIONS,
  type SessionDocument,
  ttlUntil,
} from '@az-shop/common';
import type { Collection, Db } from 'mongodb';
import type { TokenCipher } from './session-keys';
import type { SessionPolicy } from './session-rules';
import type { SessionUser } from './user';

export interface NewSession {
  user: SessionUser;
  refreshToken?: string;
  idToken?: string;
}

export interface SessionStoreOptions {
  db: Db;
  /** Which TTL the database has (common/src/mongo/expiry.ts). */
  flavour: MongoFlavour;
  policy: SessionPolicy;
  /** Seals refresh tokens at rest. */
  cipher: TokenCipher;
  /**
   * A session read from the database is reused this long by this instance. The instance that ends a
   * session forgets it at once; the others notice within this time.
   */
  cacheMs: number;
  /** Sessions remembered at most (oldest forgotten first). */
  cacheSize?: number;
}

/** A stored session as the writes need it: which one, and when it expires. */
export type SessionRef = Pick<SessionDocument, '_id' | 'expiresAt'>;

/** How long an instance that re-checks a session's roles keeps others from doing the same. */
const ROLES_CHECK_CLAIM_MS = 30_000;

/**
 * The server side of sign-in: one document per signed-in session, in web's `sessions` collection.
 * Every write carries the session's `ttl` afresh (Cosmos DB counts it from the last write), so a
 * session goes at its `expiresAt` whatever was written since.
 */
export class SessionStore {
  readonly collection: Collection<SessionDocument>;
  private readonly cache = new Map<string, { session: SessionDocument; readAt: number }>();

  constructor(private readonly options: SessionStoreOptions) {
    this.collection = options.db.collection<SessionDocument>(SESSIONS);
  }

  get policy(): SessionPolicy {
    return this.options.policy;
  }

  async createIndexes(): Promise<void> {
    await Promise.all([
      // Gone after the absolute lifetime; nothing reads them after that.
      ensureExpiryIndex(
        this.collection,
        { name: 'expire_after_lifetime', field: 'expiresAt' },
        this.options.flavour,
      ),
      // "Sign out everywhere" ends a user's sessions at once.
      this.collection.createIndex({ sub: 1 }, { name: 'by_user' }),
    ]);
  }

  /** Starts a session; its id (256 random bits) is all the cookie carries. */
  async create({ user, refreshToken, idToken }: NewSession, now: Date): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const session: SessionDocument = {
      _id: id,
      partition_key: user.sub,
      sub: user.sub,
      name: user.name,
      ...(user.email && { email: user.email }),
      roles: user.roles,
      createdAt: now,
      ...expiryFields(new Date(now.getTime() + this.options.policy.absoluteMs), now),
      lastSeenAt: now,
      rolesCheckedAt: now,
      ...(refreshToken && { refreshToken: this.options.cipher.seal(refreshToken) }),
      ...(idToken && { idToken }),
    };
    await this.collection.insertOne(session);
    this.remember(session);
    return id;
  }

  async find(id: string, now = Date.now()): Promise<SessionDocument | undefined> {
    const cached = this.cache.get(id);
    if (cached && now - cached.readAt < this.options.cacheMs) return cached.session;
    const session = (await this.collection.findOne({ _id: id })) ?? undefined;
    if (session) this.remember(session, now);
    else this.cache.delete(id);
    return session;
  }

  /** Moves the idle clock; one conditional write, so concurrent requests write once. */
  async touch(session: SessionDocument, now: Date): Promise<void> {
    session.lastSeenAt = now;
    await this.collection.updateOne(
      { _id: session._id, lastSeenAt: { $lt: now } },
      { $set: { lastSeenAt: now, ttl: ttlUntil(session.expiresAt, now) } },
    );
  }

  /** Sign-out: the session is over for every copy of its cookie. */
  async end(session: SessionRef, now: Date): Promise<SessionDocument | undefined> {
    this.cache.delete(session._id);
    return (
      (await this.collection.findOneAndUpdate(
        { _id: session._id, endedAt: { $exists: false } },
        { $set: { endedAt: now, ttl: ttlUntil(session.expiresAt, now) } },
      )) ?? undefined
    );
  }

  /** "Sign out everywhere": every session of the user ends (one write each: each has its own `ttl`). */
  async endAll(sub: string, now: Date): Promise<number> {
    for (const [id, { session }] of this.cache) if (session.sub === sub) this.cache.delete(id);
    const open = await this.collection
      .find({ sub, endedAt: { $exists: false } }, { projection: { _id: 1, expiresAt: 1 } })
      .toArray();
    if (open.length === 0) return 0;
    const result = await this.collection.bulkWrite(
      open.map((session) => ({
        updateOne: {
          filter: { _id: session._id, endedAt: { $exists: false } },
          update: { $set: { endedAt: now, ttl: ttlUntil(session.expiresAt, now) } },
        },
      })),
      { ordered: false },
    );
    return result.modifiedCount;
  }

  /** True when this instance may re-check the session's roles now (no other instance is at it). */
  async claimRolesCheck(session: SessionRef, now: Date): Promise<boolean> {
    const claimed = await this.collection.updateOne(
      {
        _id: session._id,
        rolesCheckedAt: { $lte: new Date(now.getTime() - this.options.policy.rolesRecheckMs) },
        $or: [{ rolesCheckUntil: { $exists: false } }, { rolesCheckUntil: { $lte: now } }],
      },
      {
        $set: {
          rolesCheckUntil: new Date(now.getTime() + ROLES_CHECK_CLAIM_MS),
          ttl: ttlUntil(session.expiresAt, now),
        },
      },
    );
    return claimed.modifiedCount === 1;
  }

  /** What the provider said just now: the user's current roles (and a rotated refresh token). */
  async confirmRoles(session: SessionRef, roles: string[], refreshToken: string | undefined, now: Date) {
    const updated = await this.collection.findOneAndUpdate(
      { _id: session._id },
      {
        $set: {
          roles,
          rolesCheckedAt: now,
          ttl: ttlUntil(session.expiresAt, now),
          ...(refreshToken && { refreshToken: this.options.cipher.seal(refreshToken) }),
        },
        $unset: { rolesCheckUntil: '' },
      },
      { returnDocument: 'after' },
    );
    if (updated) this.remember(updated);
  }

  /** The provider could not be asked: let the next request try again. */
  async releaseRolesCheck(session: SessionRef, now: Date): Promise<void> {
    await this.collection.updateOne(
      { _id: session._id },
      { $set: { ttl: ttlUntil(session.expiresAt, now) }, $unset: { rolesCheckUntil: '' } },
    );
  }

  refreshTokenOf(session: SessionDocument): string | undefined {
    return session.refreshToken ? this.options.cipher.open(session.refreshToken) : undefined;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }

  private remember(session: SessionDocument, now = Date.now()): void {
    this.cache.delete(session._id);
    this.cache.set(session._id, { session, readAt: now });
    const limit = this.options.cacheSize ?? 10_000;
    if (this.cache.size > limit) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
