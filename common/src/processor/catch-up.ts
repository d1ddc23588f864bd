import type { Collection, Document } from 'mongodb';
import type { ProcessorEvent } from './types';

/**
 * Reads the existing documents in `_id` order, one page at a time (`_id > last`), so a long scan
 * survives cursor timeouts and reconnects. Collections are expected to use one `_id` type: `$gt`
 * compares within a BSON type only. Aborted, it throws: a scan that merely ended would read as
 * complete, and the caller would checkpoint past documents it never saw.
 */
export async function* scanDocuments(
  collection: Collection,
  filter: Document,
  pageSize = 1000,
  signal?: AbortSignal,
): AsyncGenerator<Document> {
  let last: unknown;
  for (;;) {
    signal?.throwIfAborted();
    const query = last === undefined ? filter : { $and: [filter, { _id: { $gt: last } }] };
    const page = await collection.find(query).sort({ _id: 1 }).limit(pageSize).toArray();
    for (const doc of page) {
      signal?.throwIfAborted();
      yield doc;
    }
    if (page.length < pageSize) return;
    last = page[page.length - 1]!._id;
  }
}

/** A catch-up event: the document as it is now, with no operation type and no token. */
export function catchUpEvent(doc: Document): ProcessorEvent {
  const documentKey: ProcessorEvent['documentKey'] = { _id: doc._id };
  if (doc.partition_key !== undefined) documentKey.partition_key = doc.partition_key;
  return { operationType: undefined, documentKey, fullDocument: doc, token: undefined, source: 'catch-up' };
}
