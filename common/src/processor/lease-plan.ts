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
 * When the first lease or membership record of another member ends, if it is alive now. Live members
 * renew theirs every round, two thirds of a TTL before they end; a record ending sooner belongs to a
 * member that stopped (killed), whose buckets are then taken as it ends rather than at the next round.
 */
export function firstEndOfAnother(input: {
  me: string;
  /** Lease and membership records alike: only who holds them and until when matter. */
  records: Pick<LeaseView, 'owner' | 'expiresAt'>[];
  now: number;
}): number | undefined {
  const ends = input.records
    .filter((record) => record.owner !== null && record.owner !== input.me && record.expiresAt > input.now)
    .map((record) => record.expiresAt);
  return ends.length > 0 ? Math.min(...ends) : undefined;
}
