import { createHash } from 'node:crypto';
import type { Collection, Document, Filter, UpdateFilter } from 'mongodb';

/**
 * Helpers that make a handler's writes safe to repeat: the same event handled twice has the effect
 * of once. All are single-document atomic operations, which every MongoDB-API service supports.
 */

function part(value: unknown): string {
  if (typeof value === 'string') return encodeURIComponent(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as { toHexString?: unknown }).toHexString === 'function'
  ) {
    return (value as { toHexString(): string }).toHexString();
  }
  if (value instanceof Date) return value.toISOString();
  return encodeURIComponent(JSON.stringify(value) ?? 'undefined');
}

/**
 * A stable, readable `_id` derived from the source of a write, e.g.
 * `deterministicId('work_item', fulfilmentId, 'line', 2)` → `work_item:66f…:line:2`. Inserting with it
 * twice fails on the duplicate key instead of creating a second document: treat 11000 as done.
 * Parts are percent-encoded, so `('a:b')` and `('a', 'b')` never collide.
 */
export function deterministicId(source: string, ...parts: unknown[]): string {
  return [encodeURIComponent(source), ...parts.map(part)].join(':');
}

/** Like `deterministicId` but a fixed-length hash (32 hex chars) for long or sensitive parts. */
export function hashId(source: string, ...parts: unknown[]): string {
  return createHash('sha256')
    .update(deterministicId(source, ...parts))
    .digest('hex')
    .slice(0, 32);
}

export type ConditionalResult = 'applied' | 'stale';

/**
 * Applies `update` only if the document is still at `expectedVersion`, and bumps the version: a
 * re-delivered event finds the version moved on and does nothing ('stale').
 */
export async function updateIfVersion<T extends Document>(
  collection: Collection<T>,
  _id: unknown,
  expectedVersion: number,
  update: UpdateFilter<T>,
  versionField = 'version',
): Promise<ConditionalResult> {
  const filter = { _id, [versionField]: expectedVersion } as Filter<T>;
  const inc = { ...((update.$inc as Document | undefined) ?? {}), [versionField]: 1 };
  const result = await collection.updateOne(filter, { ...update, $inc: inc } as UpdateFilter<T>);
  return result.modifiedCount === 1 ? 'applied' : 'stale';
}

/** Applies `update` only while the document is at stage `expectedStage` (a state-machine step). */
export async function updateIfStage<T extends Document>(
  collection: Collection<T>,
  _id: unknown,
  expectedStage: string | string[],
  update: UpdateFilter<T>,
  stageField = 'stage',
): Promise<ConditionalResult> {
  const stage = Array.isArray(expectedStage) ? { $in: expectedStage } : expectedStage;
  const result = await collection.updateOne({ _id, [stageField]: stage } as Filter<T>, update);
  return result.modifiedCount === 1 ? 'applied' : 'stale';
}

export type ApplyOnceResult = 'applied' | 'duplicate' | 'missing';

export interface ApplyOnceOptions {
  /** Markers kept per document (oldest dropped). Must exceed the events a document can see within
   * the re-delivery window (events since the last checkpoint), or a very late duplicate re-applies. */
  maxMarkers?: number;
  field?: string;
}

/**
 * Applies a non-idempotent `update` (e.g. `$inc: { onHand: qty }`) at most once per `markerId`:
 * the filter requires the marker to be absent and the same update pushes it, atomically.
 * Returns 'duplicate' when the marker was already there, 'missing' when `filter` matches nothing.
 */
export async function applyOnce<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  markerId: string,
  update: UpdateFilter<T>,
  options: ApplyOnceOptions = {},
): Promise<ApplyOnceResult> {
  const field = options.field ?? '_applied';
  const maxMarkers = options.maxMarkers ?? 100;
  const push = {
    ...((update.$push as Document | undefined) ?? {}),
    [field]: { $each: [markerId], $slice: -maxMarkers },
  };
  const result = await collection.updateOne(
    { $and: [filter, { [field]: { $ne: markerId } }] } as Filter<T>,
    { ...update, $push: push } as UpdateFilter<T>,
  );
  if (result.modifiedCount === 1) return 'applied';
  const exists = await collection.countDocuments(filter, { limit: 1 });
  return exists > 0 ? 'duplicate' : 'missing';
}
