import type { Document } from 'mongodb';

/** Change-event fields that name a field of the document itself. */
const DOCUMENT_PREFIX = 'fullDocument.';
const DOCUMENT_KEY_ID = 'documentKey._id';
/** Conditions on these describe the event, not the document: a catch-up event is the document as it is now. */
const EVENT_ONLY = new Set(['operationType', 'ns', 'ns.db', 'ns.coll', 'clusterTime', 'txnNumber', 'lsid']);
const LOGICAL = new Set(['$and', '$or', '$nor']);

/** `{ 'fullDocument.a': 1 }` → `{ a: 1 }`; null when some condition has no document equivalent. */
function translate(match: Document): Document | null {
  const filter: Document = {};
  for (const [key, condition] of Object.entries(match)) {
    if (EVENT_ONLY.has(key)) continue;
    if (LOGICAL.has(key)) {
      if (!Array.isArray(condition)) return null;
      const parts = condition.map((part: Document) => translate(part));
      if (parts.some((part) => part === null)) return null;
      filter[key] = parts;
    } else if (key.startsWith(DOCUMENT_PREFIX)) {
      filter[key.slice(DOCUMENT_PREFIX.length)] = condition;
    } else if (key === DOCUMENT_KEY_ID) {
      filter._id = condition;
    } else {
      return null; // `fullDocument` as a whole, `$expr`, updateDescription…: no safe translation
    }
  }
  return filter;
}

/**
 * The catch-up filter that matches the same documents as the pipeline's `$match` stages, so a
 * handler never sees during catch-up what its pipeline keeps from it on the stream. Undefined when a
 * condition cannot be said of the document alone, or a `$match` follows a reshaping stage (the caller
 * must then pass `catchUpFilter`). Stages that only reshape the event do not filter: they are ignored.
 */
export function catchUpFilterFrom(pipeline: readonly Document[]): Document | undefined {
  const parts: Document[] = [];
  let reshaped = false;
  for (const stage of pipeline) {
    const match = stage.$match as Document | undefined;
    if (!match) {
      reshaped = true;
      continue;
    }
    if (reshaped) return undefined;
    const filter = translate(match);
    if (filter === null) return undefined;
    if (Object.keys(filter).length > 0) parts.push(filter);
  }
  if (parts.length === 0) return {};
  return parts.length === 1 ? parts[0] : { $and: parts };
}
