import { type Db, type Document, ObjectId } from 'mongodb';
import pino from 'pino';
import type { Handler, HandlerContext, ProcessorEvent } from './types';

export const PARKED_EVENTS = 'parked_events';

export type ParkedStatus = 'parked' | 'replay-requested' | 'replaying' | 'replayed' | 'discarded';

export interface ParkedEvent {
  _id: ObjectId;
  processor: string;
  partitionKey: string;
  bucket: number;
  event: ProcessorEvent;
  error: { message: string; stack?: string };
  attempts: number;
  status: ParkedStatus;
  parkedAt: Date;
  updatedAt: Date;
  /**
   * Ids of the admin requests (`parked_event_requests`, web-owned) this processor has taken on: a
   * request whose id is here is done, whatever its outcome. The processor writes it, web reads it.
   */
  handledRequests?: string[];
  /** The last admin request taken on; its outcome is the status (replayed, discarded, or parked again). */
  lastRequest?: { id: string; action: 'replay' | 'discard'; takenAt: Date };
}

function describe(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error)
    return error.stack ? { message: error.message, stack: error.stack } : { message: error.message };
  return { message: String(error) };
}

export async function parkEvent(
  db: Db,
  input: {
    processor: string;
    partitionKey: string;
    bucket: number;
    event: ProcessorEvent;
    error: unknown;
    attempts: number;
  },
): Promise<ObjectId> {
  const now = new Date();
  const doc: ParkedEvent = {
    _id: new ObjectId(),
    processor: input.processor,
    partitionKey: input.partitionKey,
    bucket: input.bucket,
    event: input.event,
    error: describe(input.error),
    attempts: input.attempts,
    status: 'parked',
    parkedAt: now,
    updatedAt: now,
  };
  await db.collection<ParkedEvent>(PARKED_EVENTS).insertOne(doc);
  return doc._id;
}

/** Parked events of a processor (not yet replayed), oldest first. */
export async function listParked(
  db: Db,
  processor: string,
  options: { includeReplayed?: boolean; limit?: number } = {},
): Promise<ParkedEvent[]> {
  const filter: Document = { processor };
  if (!options.includeReplayed) filter.status = { $nin: ['replayed', 'discarded'] };
  return db
    .collection<ParkedEvent>(PARKED_EVENTS)
    .find(filter)
    .sort({ parkedAt: 1, _id: 1 })
    .limit(options.limit ?? 100)
    .toArray();
}

/** Databases whose parked index this process created (or is creating): every processor asks at its start. */
const parkedIndexes = new WeakMap<Db, Promise<void>>();

/**
 * The index the processor's own reads of `parked_events` use: the backlog count every
 * `parkedSampleMs` per processor, and the replay poll (status, oldest first). Created once per `Db`
 * object in a process (a service's processors share one, and a colour gate rebuilds them on every
 * activation); a failed attempt is forgotten, so the next start tries again.
 */
export function ensureParkedIndexes(db: Db): Promise<void> {
  const known = parkedIndexes.get(db);
  if (known) return known;
  const creating = db
    .collection<ParkedEvent>(PARKED_EVENTS)
    .createIndex({ processor: 1, status: 1, parkedAt: 1 }, { name: 'by_processor_status' })
    .then(() => undefined);
  parkedIndexes.set(db, creating);
  creating.catch(() => parkedIndexes.delete(db));
  return creating;
}

/** Statuses of a parked event still waiting on somebody: the parked backlog. */
export const UNRESOLVED_PARKED: readonly ParkedStatus[] = ['parked', 'replay-requested', 'replaying'];

/** How many of a processor's parked events are unresolved (neither replayed nor discarded). */
export function countParked(db: Db, processor: string): Promise<number> {
  return db
    .collection<ParkedEvent>(PARKED_EVENTS)
    .countDocuments({ processor, status: { $in: [...UNRESOLVED_PARKED] } });
}

function toObjectId(id: ObjectId | string): ObjectId {
  return typeof id === 'string' ? new ObjectId(id) : id;
}

export type ReplayResult = { ok: true } | { ok: false; error: string };

/**
 * Runs `handler` once on a parked event; on success marks it replayed, on failure keeps it parked
 * with the new error. Use the processor's own handler: replay goes through the same idempotent code.
 */
export async function replayParked(
  db: Db,
  id: ObjectId | string,
  handler: Handler,
  context: Partial<HandlerContext> = {},
): Promise<ReplayResult> {
  const parked = db.collection<ParkedEvent>(PARKED_EVENTS);
  const doc = await parked.findOne({ _id: toObjectId(id) });
  if (!doc) return { ok: false, error: 'not found' };
  const controller = new AbortController();
  try {
    await handler(doc.event, {
      processor: doc.processor,
      partitionKey: doc.partitionKey,
      bucket: doc.bucket,
      attempt: doc.attempts + 1,
      signal: controller.signal,
      logger: pino({ level: 'silent' }),
      ...context,
    });
  } catch (error) {
    await parked.updateOne(
      { _id: doc._id },
      { $set: { status: 'parked', error: describe(error), updatedAt: new Date() }, $inc: { attempts: 1 } },
    );
    return { ok: false, error: describe(error).message };
  }
  await parked.updateOne({ _id: doc._id }, { $set: { status: 'replayed', updatedAt: new Date() } });
  return { ok: true };
}

/** Marks parked events for replay by the running processor (the CLI's way: it has no handler). */
export async function requestReplay(db: Db, processor: string, id?: ObjectId | string): Promise<number> {
  const filter: Document = { processor, status: 'parked' };
  if (id !== undefined) filter._id = toObjectId(id);
  const result = await db
    .collection<ParkedEvent>(PARKED_EVENTS)
    .updateMany(filter, { $set: { status: 'replay-requested', updatedAt: new Date() } });
  return result.modifiedCount;
}

/** Claims one replay request, so that only one instance replays it. */
export async function claimReplayRequest(db: Db, processor: string): Promise<ParkedEvent | null> {
  return db
    .collection<ParkedEvent>(PARKED_EVENTS)
    .findOneAndUpdate(
      { processor, status: 'replay-requested' },
      { $set: { status: 'replaying', updatedAt: new Date() } },
      { sort: { parkedAt: 1 }, returnDocument: 'after' },
    );
}

/** A replay running longer than this was cut short (its instance died mid-replay). */
export const STALE_REPLAY_MS = 10 * 60 * 1000;

/**
 * Puts events left `replaying` by an instance that died mid-replay back to `parked`, so they can be
 * asked for again; without it such an event would stay `replaying` forever. A handler still running
 * after STALE_REPLAY_MS would meet a second replay: handlers are idempotent.
 */
export async function releaseStaleReplays(db: Db, processor: string, now = Date.now()): Promise<number> {
  const result = await db
    .collection<ParkedEvent>(PARKED_EVENTS)
    .updateMany(
      { processor, status: 'replaying', updatedAt: { $lt: new Date(now - STALE_REPLAY_MS) } },
      { $set: { status: 'parked', updatedAt: new Date(now) } },
    );
  return result.modifiedCount;
}
