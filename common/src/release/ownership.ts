import type { Db } from 'mongodb';
import { LEASES } from '../processor/leases';
import type { ReleaseColour } from './control';

interface LeaseRecord {
  processor: string;
  kind: 'lease' | 'member';
  bucket?: number;
  owner: string | null;
  expiresAt: Date;
  bucketing?: string;
  colour?: string;
}

/** Who holds the buckets of every leased processor at one moment. */
export interface Ownership {
  /** Per processor: buckets held live by each colour ('none' for unowned or expired, 'uncoloured' for no colour). */
  processors: Record<string, { buckets: number; byColour: Record<string, number[]> }>;
}

/** The number of buckets a lease's bucket function names (`hashed-text/16`), or the highest bucket seen. */
function bucketCountOf(leases: LeaseRecord[]): number {
  const recorded = leases.map((lease) => Number(lease.bucketing?.split('/')[1])).filter(Number.isInteger);
  if (recorded.length > 0) return Math.max(...recorded);
  return Math.max(0, ...leases.map((lease) => (lease.bucket ?? -1) + 1));
}

export async function readOwnership(db: Db, now = Date.now()): Promise<Ownership> {
  const leases = await db.collection<LeaseRecord>(LEASES).find({ kind: 'lease' }).toArray();
  const byProcessor = new Map<string, LeaseRecord[]>();
  for (const lease of leases)
    byProcessor.set(lease.processor, [...(byProcessor.get(lease.processor) ?? []), lease]);
  const processors: Ownership['processors'] = {};
  for (const [processor, records] of byProcessor) {
    const buckets = bucketCountOf(records);
    const byColour: Record<string, number[]> = {};
    const seen = new Set<number>();
    for (const record of records) {
      if (record.bucket === undefined) continue;
      seen.add(record.bucket);
      const live = record.owner !== null && record.expiresAt.getTime() > now;
      const holder = live ? (record.colour ?? 'uncoloured') : 'none';
      byColour[holder] = [...(byColour[holder] ?? []), record.bucket];
    }
    for (let bucket = 0; bucket < buckets; bucket++) {
      if (!seen.has(bucket)) byColour.none = [...(byColour.none ?? []), bucket];
    }
    for (const list of Object.values(byColour)) list.sort((a, b) => a - b);
    processors[processor] = { buckets, byColour };
  }
  return { processors };
}

/** The processors among `names` whose buckets `colour` does not all hold live. */
export function notHeldBy(ownership: Ownership, colour: ReleaseColour, names: Iterable<string>): string[] {
  return [...names].filter((name) => {
    const entry = ownership.processors[name];
    return !entry || entry.buckets === 0 || (entry.byColour[colour]?.length ?? 0) !== entry.buckets;
  });
}

/** `processor#bucket` of every bucket held live by an owner of another colour (or of none). */
export function heldByOthers(ownership: Ownership, colour: ReleaseColour): string[] {
  return Object.entries(ownership.processors).flatMap(([name, { byColour }]) =>
    Object.entries(byColour)
      .filter(([holder]) => holder !== colour && holder !== 'none')
      .flatMap(([, buckets]) => buckets.map((bucket) => `${name}#${bucket}`)),
  );
}

/** Processors with at least one live lease: the ones somebody runs now. */
export function liveProcessors(ownership: Ownership): string[] {
  return Object.entries(ownership.processors)
    .filter(([, { byColour }]) =>
      Object.entries(byColour).some(([holder, list]) => holder !== 'none' && list.length > 0),
    )
    .map(([name]) => name)
    .sort();
}

/** Processors with a live member record of `colour`: the ones that colour runs now. */
export async function processorsRunBy(db: Db, colour: ReleaseColour, now = Date.now()): Promise<string[]> {
  const members = await db
    .collection<LeaseRecord>(LEASES)
    .find({ kind: 'member', colour, owner: { $ne: null }, expiresAt: { $gt: new Date(now) } })
    .toArray();
  return [...new Set(members.map((member) => member.processor))].sort();
}
