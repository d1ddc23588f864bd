import { hostname } from 'node:os';
import { type AnyBulkWriteOperation, type BulkWriteResult, type Db, MongoBulkWriteError } from 'mongodb';
import type { Logger } from '../logger';
import { retryThrottled } from '../mongo/throttling';
import { BUCKETING } from './buckets';
import { firstEndOfAnother, type LeaseView, planLeases } from './lease-plan';

export const LEASES = 'leases';

/** A document of `leases`: one per bucket (`kind: 'lease'`) and one per live instance (`member`). */
export interface LeaseDoc {
  _id: string;
  processor: string;
  kind: 'lease' | 'member';
  bucket?: number;
  owner: string | null;
  expiresAt: Date;
  epoch?: number;
  /** The bucket function and count of the instance that wrote it (absent before it was recorded). */
  bucketing?: string;
  /** The release colour of the owner, when it runs as one colour of a blue-green pair. */
  colour?: string;
}

/** How a lease records its owner's bucket function: the function's name and the bucket count. */
function bucketingOf(buckets: number): string {
  return `${BUCKETING}/${buckets}`;
}

/** The bucket count a lease's `bucketing` records, if it records one. */
export function bucketCountIn(bucketing: string | undefined): number | undefined {
  const count = Number(bucketing?.split('/')[1]);
  return Number.isInteger(count) ? count : undefined;
}

export interface LeaseKeeperOptions {
  db: Db;
  processor: string;
  owner?: string;
  buckets: number;
  ttlMs: number;
  logger: Logger;
  /** This instance's release colour (RELEASE_COLOUR), recorded on its leases for the hand-over. */
  colour?: string;
  /** Called (not awaited) with the buckets this instance should handle now. */
  onChange: (active: ReadonlyMap<number, number>) => void;
}

interface Held {
  epoch: number;
  /** Local time until which the lease is surely ours: renewal start + ttl. */
  validUntil: number;
}

export function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Holds this instance's share of a processor's bucket leases. Every ttl/3 it renews its membership
 * and leases (conditional on owner and epoch), takes free or expired buckets up to its fair share
 * and marks surplus ones for release. A lease it cannot renew is dropped while ttl/3 of it is left,
 * so the handling stops before anyone else may take the bucket. Surplus buckets are released only
 * after the processor confirms it stopped handling them (`confirmStopped`).
 */
export class LeaseKeeper {
  readonly owner: string;
  private readonly held = new Map<number, Held>();
  private readonly releasing = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private lastActive = '';
  private refusal: string | undefined;
  /** When another's lease or membership ends (a dead one's, when sooner than the next round): look then. */
  private wakeAt: number | undefined;

  constructor(private readonly options: LeaseKeeperOptions) {
    this.owner = options.owner ?? defaultOwner();
  }

  private get leases() {
    return this.options.db.collection<LeaseDoc>(LEASES);
  }

  /** The bucket function this instance partitions by: a different function or count splits keys differently. */
  private get bucketing(): string {
    return bucketingOf(this.options.buckets);
  }

  /** Set while live leases or members of another bucket function keep this instance from joining. */
  refusedBecause(): string | undefined {
    return this.refusal;
  }

  private leaseId(bucket: number): string {
    return `${this.options.processor}#lease#${bucket}`;
  }

  /** Buckets this instance handles now, with the lease epoch (for fencing checkpoint writes). */
  active(): Map<number, number> {
    const result = new Map<number, number>();
    for (const [bucket, held] of this.held) if (!this.releasing.has(bucket)) result.set(bucket, held.epoch);
    return result;
  }

  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const round = this.options.ttlMs / 3;
    // A dead owner's lease is taken when it ends, not up to a round later: a hand-over costs one TTL.
    const delay =
      this.wakeAt === undefined ? round : Math.min(round, Math.max(10, this.wakeAt - Date.now() + 1));
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule());
    }, delay);
  }

  /**
   * One renewal/acquisition round; never throws (a failed round only risks dropping leases). The
   * membership and every held lease are renewed in one `update` command (one round trip whatever the
   * bucket count), each statement conditional on owner and epoch as before; then one `find` reads the
   * processor's records, which tells which renewals landed (if not all did) and what to take.
   */
  async tick(): Promise<void> {
    const { ttlMs, processor, logger } = this.options;
    const startedAt = Date.now();
    const expiresAt = new Date(startedAt + ttlMs);
    this.wakeAt = undefined;
    try {
      const renewing = [...this.held];
      const result = await this.renewAll([
        {
          updateOne: {
            filter: { _id: `${processor}#member#${this.owner}` },
            update: { $set: { processor, kind: 'member', owner: this.owner, expiresAt, ...this.stamp() } },
            upsert: true,
          },
        },
        ...renewing.map(([bucket, held]) => ({
          updateOne: {
            filter: { _id: this.leaseId(bucket), owner: this.owner, epoch: held.epoch },
            update: { $set: { expiresAt } },
          },
        })),
      ]);
      const allLanded =
        result !== undefined && result.matchedCount + result.upsertedCount === renewing.length + 1;
      if (allLanded) for (const [, held] of renewing) held.validUntil = startedAt + ttlMs;
      if (this.stopped && allLanded) return this.settle();
      // Read even when stopping if some renewal did not land: which one did not is only known from the records.
      const docs = await this.inPlace(() => this.leases.find({ processor }).toArray());
      if (!allLanded) this.settleRenewals(renewing, docs, startedAt, expiresAt);
      if (!this.stopped) await this.rebalance(startedAt, expiresAt, docs);
    } catch (error) {
      logger.warn({ err: error, processor }, 'lease renewal failed');
    }
    this.settle();
  }

  /**
   * The round's one `update` command, sent again while throttled (`inPlace`). Statements that still
   * failed (Cosmos DB throttles one statement of a bulk with 16500, the others landing) leave it
   * `undefined`: the round's `find` then tells which renewals landed, as when a lease was lost. Any
   * other error ends the round.
   */
  private async renewAll(
    operations: AnyBulkWriteOperation<LeaseDoc>[],
  ): Promise<BulkWriteResult | undefined> {
    try {
      return await this.inPlace(() => this.leases.bulkWrite(operations, { ordered: false }));
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      this.options.logger.warn(
        { err: error, processor: this.options.processor },
        'some lease renewals failed; the records tell which landed',
      );
      return undefined;
    }
  }

  /**
   * A command of a round, tried again in place while Cosmos DB throttles it, for up to ttl/6: one
   * refused round would otherwise leave the leases with less than ttl/3 sure, and their handling
   * would stop. Safe to repeat: each statement is conditional on owner and epoch, and writes the
   * same expiry. The lease's validity still counts from the round's start.
   */
  private inPlace<T>(command: () => Promise<T>): Promise<T> {
    return retryThrottled(this.options.processor, command, { withinMs: this.options.ttlMs / 6 });
  }

  /** Drops what can no longer be renewed in time (another instance may take it at validUntil), then publishes. */
  private settle(): void {
    for (const bucket of [...this.held.keys()]) this.keepIfSafe(bucket);
    this.publish();
  }

  /**
   * After a round whose renewals did not all land: a renewal landed iff its record still names this
   * owner and epoch with the expiry just written (nobody else writes this owner's name); any other
   * record means the lease was lost, and its bucket is dropped at once.
   */
  private settleRenewals(
    renewing: [number, Held][],
    docs: LeaseDoc[],
    startedAt: number,
    expiresAt: Date,
  ): void {
    const byId = new Map(docs.map((doc) => [doc._id, doc]));
    for (const [bucket, held] of renewing) {
      const doc = byId.get(this.leaseId(bucket));
      if (doc?.owner === this.owner && doc.epoch === held.epoch) {
        if (doc.expiresAt.getTime() === expiresAt.getTime()) held.validUntil = startedAt + this.options.ttlMs;
        continue;
      }
      if (this.held.get(bucket) !== held) continue; // released meanwhile
      this.options.logger.warn(
        { processor: this.options.processor, bucket },
        'lease lost to another instance',
      );
      this.held.delete(bucket);
      this.releasing.delete(bucket);
    }
  }

  /**
   * Whether a handler may start on this bucket now: the lease is ours with ttl/3 of it surely left.
   * Checked before every handler, not only when the renewal timer fires: a starved event loop fires
   * it late, and handling must not run into the time another instance may hold the bucket. A lease
   * found too close to its end is dropped at once (its events are re-delivered from the checkpoint).
   */
  mayHandle(bucket: number): boolean {
    if (this.keepIfSafe(bucket)) return true;
    this.publish();
    return false;
  }

  private keepIfSafe(bucket: number): boolean {
    const held = this.held.get(bucket);
    if (!held) return false;
    if (Date.now() + this.options.ttlMs / 3 < held.validUntil) return true;
    this.options.logger.error(
      { processor: this.options.processor, bucket },
      'lease not renewed in time; stopping its handling',
    );
    this.held.delete(bucket);
    this.releasing.delete(bucket);
    return false;
  }

  private async rebalance(now: number, expiresAt: Date, docs: LeaseDoc[]): Promise<void> {
    const { processor, buckets } = this.options;
    // Two bucket functions at once would put one key in two buckets, handled concurrently by two
    // owners: join only when nobody live partitions another way (they stop first; see docs/deploy.md).
    const foreign = docs.filter(
      (doc) =>
        doc.owner !== null &&
        doc.expiresAt.getTime() > now &&
        doc.bucketing !== undefined &&
        doc.bucketing !== this.bucketing,
    );
    if (foreign.length > 0) {
      const refusal = `live leases of ${processor} use bucket function ${foreign[0]!.bucketing}, not ${this.bucketing}`;
      if (refusal !== this.refusal) this.options.logger.error({ processor, owner: this.owner }, refusal);
      this.refusal = refusal;
      return;
    }
    this.refusal = undefined;
    const liveMembers = docs
      .filter((doc) => doc.kind === 'member' && doc.expiresAt.getTime() > now)
      .map((doc) => doc.owner ?? '');
    const views: LeaseView[] = docs
      .filter((doc) => doc.kind === 'lease' && doc.bucket !== undefined)
      .map((doc) => ({ bucket: doc.bucket!, owner: doc.owner, expiresAt: doc.expiresAt.getTime() }));
    const plan = planLeases({ me: this.owner, buckets, liveMembers, leases: views, now });
    const records = docs.map((doc) => ({ owner: doc.owner, expiresAt: doc.expiresAt.getTime() }));
    this.wakeAt = firstEndOfAnother({ me: this.owner, records, now });
    const epochs = new Map(
      docs.filter((doc) => doc.kind === 'lease').map((doc) => [doc.bucket, doc.epoch ?? 0]),
    );
    for (const bucket of plan.acquire) {
      const _id = this.leaseId(bucket);
      const seen = epochs.get(bucket);
      if (seen === undefined) {
        try {
          await this.leases.insertOne({
            _id,
            processor,
            kind: 'lease',
            bucket,
            owner: this.owner,
            expiresAt,
            epoch: 1,
            ...this.stamp(),
          });
          this.held.set(bucket, { epoch: 1, validUntil: now + this.options.ttlMs });
        } catch (error) {
          if ((error as { code?: number }).code !== 11000) throw error;
        }
        continue;
      }
      const result = await this.leases.updateOne(
        { _id, epoch: seen, $or: [{ owner: null }, { expiresAt: { $lte: new Date(now) } }] },
        { $set: { owner: this.owner, expiresAt, ...this.stamp() }, $inc: { epoch: 1 } },
      );
      if (result.matchedCount === 1)
        this.held.set(bucket, { epoch: seen + 1, validUntil: now + this.options.ttlMs });
    }
    for (const bucket of plan.release) this.releasing.add(bucket);
    if (plan.acquire.length + plan.release.length > 0) {
      this.options.logger.info(
        { processor, owner: this.owner, target: plan.target, acquire: plan.acquire, release: plan.release },
        'rebalancing buckets',
      );
    }
  }

  private stamp(): Pick<LeaseDoc, 'bucketing' | 'colour'> {
    return { bucketing: this.bucketing, ...(this.options.colour ? { colour: this.options.colour } : {}) };
  }

  private publish(): void {
    const active = this.active();
    const signature = [...active].map(([b, e]) => `${b}:${e}`).join(',');
    if (signature === this.lastActive) return;
    this.lastActive = signature;
    this.options.onChange(active);
  }

  /** The processor no longer handles anything outside `handled`: release what was marked for it. */
  async confirmStopped(handled: ReadonlySet<number>): Promise<void> {
    await this.release([...this.releasing].filter((bucket) => !handled.has(bucket)));
  }

  /**
   * Gives `buckets` up in one round trip (each statement still conditional on owner and epoch), so
   * another instance's round sees them released together rather than a few at a time.
   */
  private async release(buckets: number[]): Promise<void> {
    const releases: { bucket: number; epoch: number }[] = [];
    for (const bucket of buckets) {
      const held = this.held.get(bucket);
      this.held.delete(bucket);
      this.releasing.delete(bucket);
      if (held) releases.push({ bucket, epoch: held.epoch });
    }
    if (releases.length === 0) return;
    try {
      await this.leases.bulkWrite(
        releases.map(({ bucket, epoch }) => ({
          updateOne: {
            filter: { _id: this.leaseId(bucket), owner: this.owner, epoch },
            update: { $set: { owner: null, expiresAt: new Date(0) } },
          },
        })),
        { ordered: false },
      );
    } catch (error) {
      this.options.logger.warn(
        { err: error, buckets: releases.map((r) => r.bucket) },
        'lease release failed; it will expire',
      );
    }
  }

  /** Stops renewing. Call after the processor stopped handling: releases every lease and leaves. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    // Leave first, so the members that stay count without this one when they take the released buckets.
    try {
      await this.leases.deleteOne({ _id: `${this.options.processor}#member#${this.owner}` });
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not remove membership; it will expire');
    }
    await this.release([...this.held.keys()]);
  }
}
