import type { ChangeStreamOptions, Document, Timestamp } from 'mongodb';
import type { ProcessorEvent, ProcessorMode, StreamPosition } from './types';

/** Where a stream starts: after a token, at an operation time (inclusive), or now. */
export type StreamStart =
  | { resumeAfter: Document }
  | { startAtOperationTime: Timestamp }
  | Record<string, never>;

export interface WatchArgs {
  pipeline: Document[];
  options: ChangeStreamOptions;
}

const MONGO_OPERATIONS = ['insert', 'update', 'replace', 'delete'];
/** Cosmos DB's API for MongoDB streams only these, and requires this `$match` + `$project` shape. */
const COSMOS_OPERATIONS = ['insert', 'update', 'replace'];
export const COSMOS_PROJECTION = { _id: 1, fullDocument: 1, ns: 1, documentKey: 1 } as const;

/**
 * The pipeline and options of the change stream, as a pure function so tests can assert exactly what
 * is sent. Cosmos mode folds the caller's `$match` stages into the one required `$match` and allows
 * nothing else; mongo mode filters out non-data events (drop, rename...) and appends the caller's stages.
 * `preImages` (mongo mode only) asks for pre-images where the collection keeps them.
 */
export function buildWatchArgs(input: {
  mode: ProcessorMode;
  pipeline?: Document[];
  start: StreamStart;
  maxAwaitTimeMS?: number;
  preImages?: boolean;
  /** Mongo mode: a stage keeping only some buckets' events (bucket-filter.ts), before the caller's. */
  bucketFilter?: Document;
}): WatchArgs {
  const extra = input.pipeline ?? [];
  if (input.mode === 'cosmos') {
    if (input.preImages) throw new Error('cosmos mode has no change-stream pre-images');
    if (input.bucketFilter) throw new Error('cosmos mode can not filter buckets on the server');
    const matches = extra.map((stage) => {
      const keys = Object.keys(stage);
      if (keys.length !== 1 || keys[0] !== '$match') {
        throw new Error(`cosmos mode allows only $match stages in the pipeline, got ${keys.join(',')}`);
      }
      return stage.$match as Document;
    });
    const operations = { operationType: { $in: COSMOS_OPERATIONS } };
    const match = matches.length === 0 ? operations : { $and: [...matches, operations] };
    return {
      pipeline: [{ $match: match }, { $project: { ...COSMOS_PROJECTION } }],
      options: { fullDocument: 'updateLookup', ...input.start },
    };
  }
  return {
    pipeline: [
      { $match: { operationType: { $in: MONGO_OPERATIONS } } },
      ...(input.bucketFilter ? [input.bucketFilter] : []),
      ...extra,
    ],
    options: {
      fullDocument: 'updateLookup',
      // 'whenAvailable', not 'required': a missing pre-image must not fail the stream.
      ...(input.preImages ? { fullDocumentBeforeChange: 'whenAvailable' as const } : {}),
      maxAwaitTimeMS: input.maxAwaitTimeMS ?? 1000,
      batchSize: 1000,
      ...input.start,
    },
  };
}

/** Turns a raw change document into the handler's event; `undefined` for events it does not handle. */
export function normalizeChange(raw: Document): ProcessorEvent | undefined {
  const op = raw.operationType as string | undefined;
  if (op !== undefined && !MONGO_OPERATIONS.includes(op)) return undefined;
  const event: ProcessorEvent = {
    operationType: op as ProcessorEvent['operationType'],
    documentKey: raw.documentKey as ProcessorEvent['documentKey'],
    fullDocument: (raw.fullDocument as Document | null | undefined) ?? null,
    clusterTime: raw.clusterTime as Timestamp | undefined,
    token: raw._id as Document,
    source: 'stream',
  };
  // Only where the server sent the field (pre-images asked for, not an insert): absent stays absent.
  if ('fullDocumentBeforeChange' in raw) {
    event.fullDocumentBeforeChange = (raw.fullDocumentBeforeChange as Document | null | undefined) ?? null;
  }
  return event;
}

/** The position of a change event in its stream. */
export function positionOf(event: ProcessorEvent): StreamPosition {
  const position: StreamPosition = {};
  if (event.token) position.token = event.token;
  if (event.clusterTime) position.clusterTime = event.clusterTime;
  return position;
}
