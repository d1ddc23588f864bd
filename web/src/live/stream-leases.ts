import { randomBytes } from 'node:crypto';
import { ensureExpiryIndex, expiryFields, type MongoFlavour, retryThrottled } from '@az-shop/common';
import type { Collection, Db } from 'mongodb';

/** Web's own collection of open live event streams, one document per stream, across instances. */
export const LIVE_STREAMS = 'live_streams';

interface StreamLease {
  _id: string;
  /** Whose stream (see limits/client-key.ts). */
  client: string;
  /** The web instance serving it; it renews its leases together. */
  instance: string;
  /** A stream of an instance that died stops counting then (and the TTL index deletes it). */
  expiresAt: Date;
  /** Seconds from the last write to `expiresAt` (Cosmos DB's TTL, common/src/mongo/expiry.ts). */
  ttl: number;
}

export interface StreamLeases {
  /** A lease for one more stream of `client`, or null when it already has `max` open. */
  acquire(client: string, max: number): Promise<{ release(): Promise<void> } | null>;
  /** Gives back this instance's leases (at shutdown). */
  close(): Promise<void>;
}

/**
 * Counts open event streams per client in MongoDB, so the cap holds across web instances. Taking a
 * lease is insert-then-count: two streams racing for the last place may both be refused, never both
 * admitted. Each instance renews all of its leases with one write every third of `leaseMs`; the
 * streams of an instance that stopped without closing them stop counting after `leaseMs`.
 */
export async function streamLeases(db: Db, flavour: MongoFlavour, leaseMs = 60_000): Promise<StreamLeases> {
  const leases: Collection<StreamLease> = db.collection<StreamLease>(LIVE_STREAMS);
  const lease = () => {
    const now = new Date();
    return expiryFields(new Date(now.getTime() + leaseMs), now);
  };
  await retryThrottled('prepare', () =>
    Promise.all([
      ensureExpiryIndex(leases, { name: 'expire_at', field: 'expiresAt' }, flavour),
      leases.createIndex({ client: 1, expiresAt: 1 }, { name: 'by_client' }),
    ]),
  );
  const instance = randomBytes(8).toString('hex');
  const renew = setInterval(() => {
    // A failed renewal is retried by the next one, well before the leases run out.
    leases.updateMany({ instance }, { $set: lease() }).catch(() => {});
  }, leaseMs / 3);
  renew.unref();

  return {
    async acquire(client, max) {
      const _id = randomBytes(12).toString('hex');
      await leases.insertOne({ _id, client, instance, ...lease() });
      const release = async () => {
        await leases.deleteOne({ _id });
      };
      try {
        const open = await leases.countDocuments({ client, expiresAt: { $gt: new Date() } });
        if (open <= max) return { release };
      } catch (error) {
        await release().catch(() => {}); // never leave a lease this instance would renew forever
        throw error;
      }
      await release();
      return null;
    },
    async close() {
      clearInterval(renew);
      await leases.deleteMany({ instance });
    },
  };
}
