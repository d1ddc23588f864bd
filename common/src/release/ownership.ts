import type { Db } from 'mongodb';
import { bucketCountIn, LEASES, type LeaseDoc } from '../processor/leases';
import type { ReleaseColour } from './control';

/** Who holds the buckets of every leased processor at one moment. */
export interface Ownership {
  /** Per processor: buckets held live by each colour ('none' for unowned or expired, 'uncoloured' for no colour). */
  processors: Record<string, { buckets: number; byColour: Record<string, number[]> }>;
}

/** The number of buckets a processor's leases record (`hashed-text/16`), else the highest bucket seen. */
function bucketCountOf(leases: LeaseDoc[]): number {
  const recorded = leases.flatMap((lease) => bucketCountIn(lease.bucketing) ?? []);
  if (recorded.length > 0) return Math.max(...recorded);
  return Math.max(0, ...leases.map((lease) => (lease.bucket ?? -1) + 1));
}

export async function readOwnership(db: Db, now = Date.now()): Promise<Ownership> {
  const leases = await db.collection<LeaseDoc>(LEASES).find({ kind: 'lease' }).toArray();
  const byProcessor = new Map<string, LeaseDoc[]>();
  for (const lease of leases)
    byProcessor.set(lease.processor, [...(byProcessor.get(lease.processor) ?? []), lease]);
  const processors: Ownership['processors'] = {};
  for (const [processor, records] of byProcessor) {
    const buckets = bucketCountOf(records);
    const byColour: Record<string, number[]> = {};
    const holderOf = new Map<number, string>();
    for (const record of records) {
      if (record.bucket === undefined) continue;
      const live = record.owner !== null && record.expiresAt.getTime() > now;
      holderOf.set(record.bucket, live ? (record.colour ?? 'uncoloured') : 'none');
    }
    // Buckets without a lease document yet are unowned too.
    for (let bucket = 0; bucket < buckets; bucket++) if (!holderOf.has(bucket)) holderOf.set(bucket, 'none');
    for (const [bucket, holder] of [...holderOf].sort(([a], [b]) => a - b)) {
      byColour[holder] = [...(byColour[holder] ?? []), bucket];
    }
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
    .collection<LeaseDoc>(LEASES)
    .find({ kind: 'member', colour, owner: { $ne: null }, expiresAt: { $gt: new Date(now) } })
    .toArray();
  return [...new Set(members.map((member) => member.processor))].sort();
}
