import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey } from './shared';

export const SESSIONS = 'sessions';

/**
 * A signed-in session, owned by web. The sealed cookie carries only its random `_id`; who the user
 * is, which roles they hold and whether the session still counts are read here, so sign-out, "sign
 * out everywhere" and a role removed at the provider take effect on the server, whatever copies of
 * the cookie exist. `partition_key` is the user's `sub` (all of a user's sessions end together).
 */
export const SessionDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  sub: Type.String({ minLength: 1 }),
  name: Type.String(),
  email: Type.Optional(Type.String()),
  roles: Type.Array(Type.String()),
  createdAt: DateTime,
  /** createdAt + the absolute lifetime; a TTL index removes the document after it. */
  expiresAt: DateTime,
  /**
   * Whole seconds from the last write to `expiresAt`, rewritten by every write (Cosmos DB RU's TTL
   * counts it from the last write: common/src/mongo/expiry.ts); sessions older than it have none.
   */
  ttl: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Last request seen (written at most once a minute); the idle lifetime counts from it. */
  lastSeenAt: DateTime,
  /** When the roles were last confirmed by the provider (sign-in or refresh). */
  rolesCheckedAt: DateTime,
  /** The refresh token, encrypted with a key derived from SESSION_SECRET (AES-256-GCM). */
  refreshToken: Type.Optional(Type.String()),
  /** Kept for the `id_token_hint` of RP-initiated logout. */
  idToken: Type.Optional(Type.String()),
  /** Set by sign-out (this session) or "sign out everywhere" (all of the user's): the session is over. */
  endedAt: Type.Optional(DateTime),
  /** An instance re-checking the roles holds this claim so others do not refresh at the same time. */
  rolesCheckUntil: Type.Optional(DateTime),
});
export type SessionDocument = Static<typeof SessionDocument>;
