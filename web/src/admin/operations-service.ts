import {
  CHECKPOINTS,
  type CheckpointDoc,
  Errors,
  isDuplicateKey,
  LEASES,
  PARKED_EVENT_REQUESTS,
  PARKED_EVENTS,
  PARKED_REQUEST_KEEP_SECONDS,
  type ParkedAction,
  type ParkedEvent,
  type ParkedEventRequest,
  REQUEST_WINDOW_MS,
  requestIdFor,
  ttlUntil,
} from '@az-shop/common';
import { type Db, type Filter, ObjectId } from 'mongodb';
import type { Actor } from './actor';
import type { AuditLog } from './audit';
import {
  type CheckpointRow,
  type LeaseRow,
  type ParkedCount,
  type ParkedStatusName,
  type ProcessorView,
  summarizeProcessors,
} from './operations';

/** A parked event as the back office shows it: what, why, where it stands. Never the stack. */
export interface ParkedView {
  id: string;
  processor: string;
  partitionKey: string;
  bucket: number;
  event: { operationType: string | null; documentKey: unknown; source: string };
  /** The error's message; the stack stays in the database and the service's logs. */
  error: string;
  attempts: number;
  status: ParkedStatusName;
  parkedAt: string;
  updatedAt: string;
  /** The last request the processor took on (its outcome is `status`). */
  lastRequest?: { id: string; action: ParkedAction; takenAt: string };
  /** A request the processor has not taken on yet. */
  pendingRequest?: { id: string; action: ParkedAction; requestedBy: string; requestedAt: string };
}

export interface ParkedQuery {
  processor?: string;
  status?: ParkedStatusName;
  limit: number;
}

/**
 * Processors' state and parked events, for the back office. Web reads `leases`, `checkpoints` and
 * `parked_events` (their writers are the services running the processors) and writes only its own
 * `parked_event_requests`: the processor owning the event takes a request on and records the outcome
 * on its parked event (common/src/processor/requests.ts). Every request is audited.
 */
export interface AdminOperations {
  processors(now?: Date): Promise<ProcessorView[]>;
  parked(query: ParkedQuery): Promise<ParkedView[]>;
  request(actor: Actor, id: string, action: ParkedAction): Promise<{ requestId: string; parked: ParkedView }>;
}

type LeaseDoc = LeaseRow & { _id: string };

function toParkedView(doc: ParkedEvent, pending?: ParkedEventRequest): ParkedView {
  return {
    id: doc._id.toHexString(),
    processor: doc.processor,
    partitionKey: doc.partitionKey,
    bucket: doc.bucket,
    event: {
      operationType: doc.event.operationType ?? null,
      documentKey: doc.event.documentKey,
      source: doc.event.source,
    },
    error: doc.error.message,
    attempts: doc.attempts,
    status: doc.status,
    parkedAt: doc.parkedAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    ...(doc.lastRequest && {
      lastRequest: { ...doc.lastRequest, takenAt: doc.lastRequest.takenAt.toISOString() },
    }),
    ...(pending && {
      pendingRequest: {
        id: pending._id,
        action: pending.action,
        requestedBy: pending.requestedBy.email ?? pending.requestedBy.sub,
        requestedAt: pending.requestedAt.toISOString(),
      },
    }),
  };
}

/** The request the event's current turn would get, if one is there and still live. */
function isLive(request: ParkedEventRequest | null, now: number): request is ParkedEventRequest {
  return request !== null && request.requestedAt.getTime() > now - REQUEST_WINDOW_MS;
}

export function adminOperations(db: Db, audit: AuditLog): AdminOperations {
  const parkedEvents = db.collection<ParkedEvent>(PARKED_EVENTS);
  const requests = db.collection<ParkedEventRequest>(PARKED_EVENT_REQUESTS);

  /** Pending requests of these events: each event's current turn (`requestIdFor`), when still live. */
  async function pendingOf(docs: ParkedEvent[]): Promise<Map<string, ParkedEventRequest>> {
    const ids = docs.filter((doc) => doc.status === 'parked').map(requestIdFor);
    if (ids.length === 0) return new Map();
    const now = Date.now();
    const found = await requests.find({ _id: { $in: ids } }).toArray();
    return new Map(found.filter((r) => isLive(r, now)).map((r) => [r.parkedId, r]));
  }

  async function loadParked(id: string): Promise<ParkedEvent> {
    const doc = await parkedEvents.findOne({ _id: new ObjectId(id) });
    if (!doc) throw new Errors.NotFound('Parked event');
    return doc;
  }

  return {
    async processors(now = new Date()) {
      const [leases, checkpoints, parked] = await Promise.all([
        db
          .collection<LeaseDoc>(LEASES)
          .find({}, { projection: { processor: 1, kind: 1, bucket: 1, owner: 1, expiresAt: 1 } })
          .toArray(),
        db
          .collection<CheckpointDoc>(CHECKPOINTS)
          .find({}, { projection: { processor: 1, bucket: 1, clusterTime: 1, updatedAt: 1 } })
          .toArray(),
        parkedEvents
          .aggregate<{ _id: { processor: string; status: ParkedStatusName }; count: number }>([
            { $group: { _id: { processor: '$processor', status: '$status' }, count: { $sum: 1 } } },
          ])
          .toArray(),
      ]);
      return summarizeProcessors({
        now,
        leases,
        checkpoints: checkpoints.map(
          (doc): CheckpointRow => ({
            processor: doc.processor,
            bucket: doc.bucket,
            updatedAt: doc.updatedAt,
            ...(doc.clusterTime && { clusterSeconds: doc.clusterTime.t }),
          }),
        ),
        parked: parked.map((row): ParkedCount => ({ ...row._id, count: row.count })),
      });
    },

    async parked({ processor, status, limit }) {
      const filter: Filter<ParkedEvent> = {};
      if (processor !== undefined) filter.processor = processor;
      if (status !== undefined) filter.status = status;
      const docs = await parkedEvents.find(filter).sort({ parkedAt: -1, _id: -1 }).limit(limit).toArray();
      const pending = await pendingOf(docs);
      return docs.map((doc) => toParkedView(doc, pending.get(doc._id.toHexString())));
    },

    async request(actor, id, action) {
      const doc = await loadParked(id);
      if (doc.status !== 'parked') throw new Errors.Conflict(`This event is ${doc.status}, not parked`);
      const now = new Date();
      const request: ParkedEventRequest = {
        _id: requestIdFor(doc),
        partition_key: doc.processor,
        processor: doc.processor,
        parkedId: doc._id.toHexString(),
        action,
        requestedBy: actor,
        requestedAt: now,
        ttl: ttlUntil(new Date(now.getTime() + PARKED_REQUEST_KEEP_SECONDS * 1000), now),
      };
      try {
        await requests.insertOne(request);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // This turn's id is taken: by a live request (pending: refuse), or by one that expired
        // unhandled (its processor was down for a day), which a new ask replaces.
        const replaced = await requests.replaceOne(
          { _id: request._id, requestedAt: { $lte: new Date(now.getTime() - REQUEST_WINDOW_MS) } },
          request,
        );
        if (replaced.matchedCount === 0)
          throw new Errors.Conflict('A request for this event is already pending');
      }
      await audit.record({
        _id: `parked_event_request:${request._id}`,
        at: now,
        actor,
        action: `parked_event.${action}`,
        target: { kind: 'parked_event', id: request.parkedId },
        changes: { processor: doc.processor, requestId: request._id },
      });
      return { requestId: request._id, parked: toParkedView(doc, request) };
    },
  };
}
