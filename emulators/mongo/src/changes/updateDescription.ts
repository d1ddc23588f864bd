import type { Document } from 'bson';

/**
 * An update event's `updateDescription` from the recorded one (query/update.ts describeUpdate): with
 * showExpandedEvents it always carries `disambiguatedPaths` (`{}` when no path is ambiguous), without it never,
 * as mongod 6.1+ (change_stream_event_transform.cpp). The recorded object is shared between streams: copied
 * only when its shape changes.
 */
export function updateDescription(upd: Document | undefined, showExpandedEvents: boolean): Document {
  const d: Document = upd ?? { updatedFields: {}, removedFields: [], truncatedArrays: [] };
  if (showExpandedEvents) {
    const { updatedFields, removedFields, truncatedArrays } = d;
    return { updatedFields, removedFields, truncatedArrays, disambiguatedPaths: d.disambiguatedPaths ?? {} };
  }
  if (d.disambiguatedPaths === undefined) return d;
  const { disambiguatedPaths: _, ...rest } = d;
  return rest;
}
