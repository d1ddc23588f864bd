import type { Db, Document, MongoBulkWriteError, Timestamp } from 'mongodb';
import { BUCKETING } from './buckets';
import { oldestClusterTime } from './positions';
import type { StreamPosition } from './types';

export const CHECKPOINTS = 'checkpoints';

export interface CheckpointDoc {
  _id: string;
  processor: string;
  /** null when the processor runs without leases (one checkpoint for the whole stream). */
  bucket: number | null;
  token?: Document;
  clusterTime?: Timestamp;
  /** The lease epoch of the writer: a stale owner can not overwrite a newer owner's checkpoint. */
  epoch?: number;
  /** The bucket function the position was handled under (buckets.ts); bucket checkpoints only. */
  bucketing?: string;
  updatedAt: Date;
}

export function checkpointId(processor: string, bucket: number | null): string {
  return bucket === null ? processor : `${processor}#${bucket}`;
}

/**
 * The stored positions of `buckets`. A bucket checkpoint written under another bucket function (an
 * older release) says nothing about the keys its bucket holds now: every such bucket resumes from the
 * oldest of those checkpoints instead, which re-delivers (handlers are idempotent) and never skips.
 */
export async function loadCheckpoints(
  db: Db,
  processor: string,
  buckets: (number | null)[],
): Promise<Map<number | null, StreamPosition>> {
  const ids = buckets.map((bucket) => checkpointId(processor, bucket));
  const docs = await db
    .collection<CheckpointDoc>(CHECKPOINTS)
    .find({ $or: [{ _id: { $in: ids } }, { processor, bucket: { $ne: null } }] })
    .toArray();
  const stale = docs.filter((doc) => doc.bucket !== null && doc.bucketing !== BUCKETING);
  // Only the time: the token of another bucket's event is no resume point for this one.
  const staleTime = oldestClusterTime(stale.map(positionOf));
  const oldestStale: StreamPosition | undefined = staleTime && { clusterTime: staleTime };
  const result = new Map<number | null, StreamPosition>();
  for (const doc of docs) {
    if (!ids.includes(doc._id)) continue;
    const position = stale.includes(doc) ? oldestStale : positionOf(doc);
    if (position && (position.token || position.clusterTime)) result.set(doc.bucket, position);
  }
  return result;
}

function positionOf(doc: CheckpointDoc): StreamPosition {
  const position: StreamPosition = {};
  if (doc.token) position.token = doc.token;
  if (doc.clusterTime) position.clusterTime = doc.clusterTime;
  return position;
}

export interface CheckpointWrite {
  bucket: number | null;
  position: StreamPosition;
  epoch?: number;
}

/**
 * Writes several checkpoints in one round trip. With an epoch, the write only lands if the stored
 * epoch is not newer (the upsert then fails on the duplicate `_id`): returns the fenced buckets.
 */
export async function saveCheckpoints(
  db: Db,
  processor: string,
  writes: CheckpointWrite[],
): Promise<(number | null)[]> {
  if (writes.length === 0) return [];
  const now = new Date();
  const operations = writes.map((write) => {
    const _id = checkpointId(processor, write.bucket);
    const filter: Document =
      write.epoch === undefined
        ? { _id }
        : { _id, $or: [{ epoch: { $lte: write.epoch } }, { epoch: { $exists: false } }] };
    const set: Document = { processor, bucket: write.bucket, updatedAt: now };
    if (write.position.token) set.token = write.position.token;
    if (write.position.clusterTime) set.clusterTime = write.position.clusterTime;
    if (write.epoch !== undefined) set.epoch = write.epoch;
    if (write.bucket !== null) set.bucketing = BUCKETING;
    return { updateOne: { filter, update: { $set: set }, upsert: true } };
  });
  try {
    await db.collection<CheckpointDoc>(CHECKPOINTS).bulkWrite(operations, { ordered: false });
    return [];
  } catch (error) {
    const bulkError = error as MongoBulkWriteError;
    const writeErrors = bulkError.writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (list.length === 0 || list.some((e) => e.code !== 11000)) throw error;
    return list.map((e) => writes[e.index]!.bucket);
  }
}
