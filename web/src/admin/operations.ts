import type { ParkedStatus } from '@az-shop/common';

/**
 * The back office's view of the change-stream processors, computed from what they store: leases
 * (members and bucket leases), checkpoints and parked events. Pure: the I/O is in
 * operations-service.ts. Every service's processors write these collections; web only reads them.
 */

/** A document of `leases`, as read: a member record or a bucket lease. */
export interface LeaseRow {
  processor: string;
  kind: 'lease' | 'member';
  bucket?: number;
  owner: string | null;
  expiresAt: Date;
}

/** A document of `checkpoints`, as read (`clusterSeconds`: its cluster time's seconds, mongo mode). */
export interface CheckpointRow {
  processor: string;
  bucket: number | null;
  clusterSeconds?: number;
  updatedAt: Date;
}

export type ParkedStatusName = ParkedStatus;

export interface ParkedCount {
  processor: string;
  status: ParkedStatusName;
  count: number;
}

export type ProcessorHealth =
  /** Leased: live members hold every leased bucket. */
  | 'running'
  /** Leased: live members, but some bucket has no live owner (a hand-over, or a member gone). */
  | 'degraded'
  /** Leased: no live member. */
  | 'down'
  /** Runs without leases: the database cannot tell whether it runs; see its last checkpoint. */
  | 'unleased';

export interface ProcessorView {
  name: string;
  health: ProcessorHealth;
  /** Live members (unexpired membership) and the buckets each holds now, sorted. */
  owners: { owner: string; buckets: number[]; expiresAt: string }[];
  /** Leased buckets whose lease has expired or has no owner. */
  unownedBuckets: number[];
  /**
   * now − the oldest checkpointed cluster time over its buckets, in seconds (the bucket that lags
   * most); null when no checkpoint has a cluster time (cosmos mode, or none yet). Idle buckets
   * checkpoint about once a minute, so an idle processor shows up to ~60 s.
   */
  lagSeconds: number | null;
  lastCheckpointAt: string | null;
  checkpoints: number;
  parked: Record<ParkedStatusName, number>;
}

const NO_PARKED: Record<ParkedStatusName, number> = {
  parked: 0,
  'replay-requested': 0,
  replaying: 0,
  replayed: 0,
  discarded: 0,
};

/** Lag of a processor: now − its oldest bucket's checkpoint cluster time (never negative). */
export function lagSeconds(checkpoints: readonly CheckpointRow[], now: Date): number | null {
  const times = checkpoints.flatMap((row) => (row.clusterSeconds === undefined ? [] : [row.clusterSeconds]));
  if (times.length === 0) return null;
  return Math.max(0, Math.round(now.getTime() / 1000 - Math.min(...times)));
}

/** Who holds which bucket: live owners only (a lease past `expiresAt` is anybody's to take). */
export function bucketOwnership(
  leases: readonly LeaseRow[],
  now: Date,
): Pick<ProcessorView, 'owners' | 'unownedBuckets'> {
  const live = (row: LeaseRow) => row.owner !== null && row.expiresAt.getTime() > now.getTime();
  const owners = new Map<string, { buckets: number[]; expiresAt: Date }>();
  for (const row of leases) {
    if (row.kind === 'member' && live(row) && row.owner)
      owners.set(row.owner, { buckets: [], expiresAt: row.expiresAt });
  }
  const unowned: number[] = [];
  for (const row of leases) {
    if (row.kind !== 'lease' || row.bucket === undefined) continue;
    const member = row.owner ? owners.get(row.owner) : undefined;
    if (live(row) && member) member.buckets.push(row.bucket);
    else unowned.push(row.bucket);
  }
  const byNumber = (a: number, b: number) => a - b;
  return {
    owners: [...owners]
      .map(([owner, { buckets, expiresAt }]) => ({
        owner,
        buckets: buckets.sort(byNumber),
        expiresAt: expiresAt.toISOString(),
      }))
      .sort((a, b) => a.owner.localeCompare(b.owner)),
    unownedBuckets: unowned.sort(byNumber),
  };
}

function healthOf(leases: readonly LeaseRow[], view: Pick<ProcessorView, 'owners' | 'unownedBuckets'>) {
  if (leases.length === 0) return 'unleased';
  if (view.owners.length === 0) return 'down';
  return view.unownedBuckets.length > 0 ? 'degraded' : 'running';
}

/** One view per processor name found in any of the three collections, sorted by name. */
export function summarizeProcessors(input: {
  leases: readonly LeaseRow[];
  checkpoints: readonly CheckpointRow[];
  parked: readonly ParkedCount[];
  now: Date;
}): ProcessorView[] {
  const names = new Set([
    ...input.leases.map((row) => row.processor),
    ...input.checkpoints.map((row) => row.processor),
    ...input.parked.map((row) => row.processor),
  ]);
  return [...names].sort().map((name) => {
    const leases = input.leases.filter((row) => row.processor === name);
    const checkpoints = input.checkpoints.filter((row) => row.processor === name);
    const ownership = bucketOwnership(leases, input.now);
    const parked = { ...NO_PARKED };
    for (const row of input.parked)
      if (row.processor === name && row.status in parked) parked[row.status] += row.count;
    const last = Math.max(...checkpoints.map((row) => row.updatedAt.getTime()));
    return {
      name,
      health: healthOf(leases, ownership),
      ...ownership,
      lagSeconds: lagSeconds(checkpoints, input.now),
      lastCheckpointAt: checkpoints.length > 0 ? new Date(last).toISOString() : null,
      checkpoints: checkpoints.length,
      parked,
    };
  });
}
