import { createHash } from 'node:crypto';
import { BSON, type Db } from 'mongodb';

/**
 * Collections that record the requests themselves rather than the shop's data (rate-limit counters,
 * server-side session activity): every request may write them, a refused one too.
 */
export const BOOKKEEPING = /rate.?limit|session/i;

/** A digest of every document of every collection but bookkeeping ones, in a stable order. */
export async function digestOf(db: Db): Promise<Map<string, string>> {
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((collection) => collection.name)
    .filter((name) => !BOOKKEEPING.test(name))
    .sort();
  const digests = await Promise.all(
    collections.map(async (name) => {
      const documents = await db.collection(name).find().toArray();
      const lines = documents.map((document) => BSON.EJSON.stringify(document, { relaxed: false })).sort();
      return [name, createHash('sha256').update(lines.join('\n')).digest('hex')] as const;
    }),
  );
  return new Map(digests);
}

/** Names of the collections whose digests differ (added and removed ones included). */
export function changedCollections(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}
