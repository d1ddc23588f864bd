import type { Document } from 'mongodb';
import type { Logger } from '../logger';
import { partitionKeyText } from './buckets';
import type { ProcessorEvent, ProcessorMode } from './types';

/** Where an event's partition key was read from. */
export type KeySource =
  | 'fullDocument'
  | 'fullDocumentBeforeChange'
  | 'documentKey.partition_key'
  | 'documentKey._id';

/**
 * The partition key of an event (canonical text), pure. The document after the change wins; without
 * it (a delete, or an update whose document was deleted before the lookup) the pre-image gives the key
 * the document had. Only with neither does it fall back to the document key, which on an unsharded
 * collection holds only `_id`: a key the document's other events may not share.
 */
export function partitionKeyOf(
  event: ProcessorEvent,
  partitionKey: (doc: Document) => unknown,
): { key: string; from: KeySource } {
  const { documentKey } = event;
  let raw: unknown;
  let from: KeySource;
  if (event.fullDocument) {
    raw = partitionKey(event.fullDocument);
    from = 'fullDocument';
  } else if (event.fullDocumentBeforeChange) {
    raw = partitionKey(event.fullDocumentBeforeChange);
    from = 'fullDocumentBeforeChange';
  } else if (documentKey.partition_key !== undefined && documentKey.partition_key !== null) {
    raw = documentKey.partition_key;
    from = 'documentKey.partition_key';
  } else {
    raw = documentKey._id;
    from = 'documentKey._id';
  }
  // A document without a key value is its own partition, as before.
  return { key: partitionKeyText(raw ?? documentKey._id), from };
}

/**
 * `partitionKeyOf` for one processor, warning the first time an event has to fall back to its
 * document key: per-key order is then no longer guaranteed for that document, and the usual cause
 * (pre-images off, or a collection that keeps none) is a setting to fix, not a per-event condition.
 */
export function createKeyRouter(options: {
  partitionKey: (doc: Document) => unknown;
  logger: Logger;
  preImages: boolean;
  mode?: ProcessorMode;
}): (event: ProcessorEvent) => string {
  let warned = false;
  return (event) => {
    const { key, from } = partitionKeyOf(event, options.partitionKey);
    if (!warned && (from === 'documentKey.partition_key' || from === 'documentKey._id')) {
      warned = true;
      options.logger.warn(
        {
          operationType: event.operationType,
          documentKey: event.documentKey,
          keyFrom: from,
          preImages: options.preImages,
          mode: options.mode ?? 'mongo',
        },
        options.mode === 'cosmos'
          ? 'change event without document in cosmos mode (no pre-images there): routed by its document key; shard the collection by partition_key so the key carries it, and soft-delete its documents (docs/processor.md, Cosmos mode). Logged once.'
          : options.preImages
            ? 'change event with neither document nor pre-image: routed by its document key, which may not be the partition key of its other events; enable pre-images on the collection (enablePreImages). Logged once.'
            : 'change event without document (preImages is off): routed by its document key, which may not be the partition key of its other events. Logged once.',
      );
    }
    return key;
  };
}
