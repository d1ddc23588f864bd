import { hashedIndexKeyOfText } from './buckets';

/** What one instance sees of the `leases` collection at one moment. */
export interface LeaseView {
  bucket: number;
  owner: string | null;
  expiresAt: number;
}

export interface LeasePlanInput {
  me: string;
  buckets: number;
  /** Owners of live membership records, including `me`. */
  liveMembers: string[];
  leases: LeaseView[];
  now: number;
}

export interface LeasePlan {
  target: number;
  acquire: number[];
  release: number[];
}

/**
 * Fair share: each live member aims for ceil(buckets / members). A member under target takes free
 * or expired buckets (in an order unique to it, so members racing for buckets rarely collide); a
 * member over target releases its surplus for the others to take.
 */
export function planLeases(input: LeasePlanInput): LeasePlan {
  const members = Math.max(1, new Set([...input.liveMembers, input.me]).size);
  const target = Math.ceil(input.buckets / members);
  const byBucket = new Map(input.leases.map((lease) => [lease.bucket, lease]));
  const mine: number[] = [];
  const free: number[] = [];
  for (let bucket = 0; bucket < input.buckets; bucket++) {
    const lease = byBucket.get(bucket);
    const live = lease?.owner && lease.expiresAt > input.now;
    if (live && lease.owner === input.me) mine.push(bucket);
    else if (!live) free.push(bucket);
  }
  const order = (bucket: number) => Number(hashedIndexKeyOfText(`${input.me}#${bucket}`) % 1_000_000n);
  if (mine.length < target) {
    free.sort((a, b) => order(a) - order(b));
    return { target, acquire: free.slice(0, target - mine.length), release: [] };
  }
  if (mine.length > target) {
    mine.sort((a, b) => order(b) - order(a));
    return { target, acquire: [], release: mine.slice(0, mine.length - target) };
  }
  return { target, acquire: [], release: [] };
}

/**
 * When another member's lease ends that this member would take (it is under its share and has no
 * free bucket to take now), if any: a dead member's lease is then taken as it ends rather than at
 * the next round, up to a third of the TTL later. Live members renew theirs long before.
 */
export function leaseEndWorthWaking(input: {
  me: string;
  held: number;
  plan: LeasePlan;
  leases: LeaseView[];
  now: number;
}): number | undefined {
  if (input.held + input.plan.acquire.length >= input.plan.target) return undefined;
  const ends = input.leases
    .filter((lease) => lease.owner !== null && lease.owner !== input.me && lease.expiresAt > input.now)
    .map((lease) => lease.expiresAt);
  return ends.length > 0 ? Math.min(...ends) : undefined;
}
