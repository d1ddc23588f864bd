import { createHash } from 'node:crypto';
import { Binary, type Document } from 'bson';
import { isPlainObject } from '../bsonUtil.js';
import { fail } from '../errors.js';
import type { CommandContext } from './context.js';

/** mongod's user digest of a client that is not logged in: SHA-256 of the empty string. */
const NO_AUTH_UID = new Binary(createHash('sha256').update('').digest());

/**
 * `{aggregate: 1, pipeline: [{$listLocalSessions: {...}}, ...]}`: the sessions in this server's session cache
 * (every lsid a command carried, `startSession`), as mongod lists them without authentication:
 * `{_id: {id, uid}, lastUse}`. `{}` and `{allUsers: true}` list them all (every session belongs to the one
 * unauthenticated user); `{users: [...]}` lists the sessions of those users, which have none here.
 */
export function listLocalSessions(ctx: CommandContext, pipeline: Document[]): Document[] {
  const spec = pipeline[0]!.$listLocalSessions;
  if (!isPlainObject(spec)) fail('FailedToParse', '$listLocalSessions options must be a document');
  if (spec.allUsers === true && spec.users !== undefined)
    fail('FailedToParse', 'allUsers=true and users=[...] are mutually exclusive');
  if (Array.isArray(spec.users) && spec.users.length > 0) return [];
  const out: Document[] = [];
  for (const s of ctx.sessions.map.values()) {
    out.push({ _id: { id: s.lsid.id, uid: NO_AUTH_UID }, lastUse: new Date(s.lastUse) });
  }
  return out;
}

/** `$listLocalSessions` on a collection (InvalidNamespace) or anywhere but first (mongod's position check). */
export function checkLocalSessionsStage(ctx: CommandContext, pipeline: Document[]): void {
  if (pipeline[0] && '$listLocalSessions' in pipeline[0] && typeof ctx.cmd.aggregate === 'string') {
    fail(
      'InvalidNamespace',
      '$listLocalSessions must be run against the database with {aggregate: 1}, not a collection',
    );
  }
  for (let i = 1; i < pipeline.length; i++) {
    if ('$listLocalSessions' in pipeline[i]!)
      fail('Location40602', '$listLocalSessions is only valid as the first stage in a pipeline');
  }
}
