import type { Document } from 'bson';
import type { Collection } from './storage/collection.js';
import type { Index } from './storage/indexes.js';

/** A key a write adds to a unique index of its collection. */
export interface AddedKey {
  index: Index;
  /** The encoded index key. */
  key: string;
  /** Its name in DocumentLocks (namespace, index and key). */
  lock: string;
}

export function uniqueKeyLock(ns: string, index: string, key: string): string {
  return `${ns}\u0000${index}\u0000${key}`;
}

/**
 * Keys `after` adds to the unique indexes other than `_id_` (document locks cover that one) that `before`,
 * the version it replaces, did not hold. mongod's unique index writes exactly these, each first as a bare
 * key that makes concurrent writers of the same key conflict (WiredTigerIndexUnique::_insert); unchanged
 * and removed keys are not written that way.
 */
export function addedUniqueKeys(coll: Collection, before: Document | undefined, after: Document): AddedKey[] {
  const out: AddedKey[] = [];
  for (const index of coll.indexes.values()) {
    if (!index.unique || index.name === '_id_') continue;
    const keys = index.keysFor(after);
    if (!keys) continue;
    const old = before ? index.keysFor(before) : null;
    for (const key of keys) {
      if (old?.includes(key)) continue;
      out.push({ index, key, lock: uniqueKeyLock(coll.ns, index.name, key) });
    }
  }
  return out;
}
