import { type Db, ObjectId } from 'mongodb';
import { PARKED_EVENTS, type ParkedEvent } from './parking';

/**
 * Admin requests to replay or discard a parked event. The collection is **web's** (the back office
 * writes it); processors only read it. A processor takes a request on by a conditional update of its
 * own `parked_events` document (status, `handledRequests`), so each collection keeps one writer.
 */
export const PARKED_EVENT_REQUESTS = 'parked_event_requests';

/** Requests older than this are no longer taken on (and web lets an admin ask again). */
export const REQUEST_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Requests are kept a week for the record (web's TTL index on `requestedAt`), then deleted. */
export const PARKED_REQUEST_KEEP_SECONDS = 7 * 24 * 3600;

export type ParkedAction = 'replay' | 'discard';

export interface ParkedEventRequest {
  /** `<parkedId>:<n>`, n = requests the event had handled when asked: two racing asks collide. */
  _id: string;
  /** The processor name (of the parked event): the partition key, and what a processor polls by. */
  partition_key: string;
  processor: string;
  parkedId: string;
  action: ParkedAction;
  requestedBy: { sub: string; email?: string; name: string };
  requestedAt: Date;
  /** Seconds from the write to `requestedAt` + the week kept (Cosmos DB's TTL, common/src/mongo/expiry.ts). */
  ttl?: number;
}

/** The id a new request for `parked` gets: unique per handled-request count, so a second ask collides. */
export function requestIdFor(parked: Pick<ParkedEvent, '_id' | 'handledRequests'>): string {
  return `${parked._id.toHexString()}:${parked.handledRequests?.length ?? 0}`;
}

/** A request is pending while its event is still parked and has not taken it on. */
export function isPending(
  request: Pick<ParkedEventRequest, '_id' | 'requestedAt'>,
  parked: Pick<ParkedEvent, 'status' | 'handledRequests'> | null,
  now: number,
): boolean {
  return (
    parked !== null &&
    parked.status === 'parked' &&
    !(parked.handledRequests ?? []).includes(request._id) &&
    request.requestedAt.getTime() > now - REQUEST_WINDOW_MS
  );
}

export interface ClaimedRequest {
  request: ParkedEventRequest;
  parked: ParkedEvent;
}

/**
 * Takes on the oldest pending request of `processor`: one conditional update of the parked event
 * (still `parked`, request not yet handled) moves it to `replaying` or `discarded` and records the
 * request id, so only one instance takes it and a request is never done twice. Returns null when none.
 */
export async function claimParkedRequest(db: Db, processor: string): Promise<ClaimedRequest | null> {
  const now = Date.now();
  const requests = await db
    .collection<ParkedEventRequest>(PARKED_EVENT_REQUESTS)
    .find({ partition_key: processor, processor, requestedAt: { $gt: new Date(now - REQUEST_WINDOW_MS) } })
    .sort({ requestedAt: 1, _id: 1 })
    .toArray();
  if (requests.length === 0) return null;
  const parked = db.collection<ParkedEvent>(PARKED_EVENTS);
  const open = await parked
    .find(
      { processor, status: 'parked', _id: { $in: requests.map((r) => objectIdOf(r.parkedId)) } },
      { projection: { handledRequests: 1, status: 1 } },
    )
    .toArray();
  const byId = new Map(open.map((doc) => [doc._id.toHexString(), doc]));
  for (const request of requests) {
    if (!isPending(request, byId.get(request.parkedId) ?? null, now)) continue;
    const takenAt = new Date();
    const claimed = await parked.findOneAndUpdate(
      {
        _id: objectIdOf(request.parkedId),
        processor,
        status: 'parked',
        handledRequests: { $ne: request._id },
      },
      {
        $set: {
          status: request.action === 'replay' ? 'replaying' : 'discarded',
          lastRequest: { id: request._id, action: request.action, takenAt },
          updatedAt: takenAt,
        },
        $push: { handledRequests: request._id },
      },
      { returnDocument: 'after' },
    );
    if (claimed) return { request, parked: claimed };
  }
  return null;
}

/** A request naming no valid id matches nothing (web validates ids; this is only a guard). */
function objectIdOf(hex: string): ObjectId {
  return ObjectId.isValid(hex) ? new ObjectId(hex) : new ObjectId('000000000000000000000000');
}
