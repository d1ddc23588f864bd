import type { Collection, Filter, OptionalUnlessRequiredId, WithoutId } from 'mongodb';
import { withTraceparent } from '../telemetry/traceparent';
import { contentionPause, isDuplicateKey } from './write-helpers';

/** A document written only through `changeVersioned`: every write bumps `version`. */
export interface VersionedDocument {
  _id: string;
  version: number;
}

/** What a change decided from the document it read: its answer, and the document to store (if any). */
export interface VersionedChange<TDoc extends VersionedDocument, R> {
  result: R;
  /** The whole new document without `version`; absent when nothing is to be written. */
  next?: Omit<TDoc, 'version'>;
}

/**
 * Optimistic concurrency on one document, the one way every service changes a document that several
 * handlers may touch at once: read it, let `change` decide from what was read (pure), write only if
 * nobody wrote in between (a replace conditional on `version`; the first write is an insert that
 * loses to a concurrent one on `_id`), else read again and decide again. Works on any MongoDB-API
 * service: a single-document write, no transaction.
 */
export async function changeVersioned<TDoc extends VersionedDocument, R>(
  collection: Collection<TDoc>,
  id: string,
  change: (current: TDoc | null) => VersionedChange<TDoc, R>,
): Promise<R> {
  // The driver's generic filter and insert types cannot follow `TDoc extends VersionedDocument`;
  // these casts only restate that `_id` is a string key of TDoc.
  const byId = { _id: id } as Filter<TDoc>;
  for (let attempt = 1; ; attempt++) {
    const current = (await collection.findOne(byId)) as TDoc | null;
    const { result, next } = change(current);
    if (!next) return result;
    if (!current) {
      try {
        await collection.insertOne(
          withTraceparent({ ...next, version: 1 }) as OptionalUnlessRequiredId<TDoc>,
        );
        return result;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    } else {
      const written = await collection.replaceOne(
        { _id: id, version: current.version } as Filter<TDoc>,
        withTraceparent({ ...next, version: current.version + 1 }) as unknown as WithoutId<TDoc>,
      );
      if (written.matchedCount === 1) return result;
    }
    await contentionPause(attempt);
  }
}
