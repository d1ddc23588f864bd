import type { Collection, Db } from 'mongodb';
import { contentionPause, isDuplicateKey } from '../mongo/write-helpers';

/** Units of a finite capacity (a production line, a warehouse's pickers): who holds one, since when. */
export interface CapacitySlotsDocument {
  _id: string;
  partition_key: string;
  holders: { id: string; since: Date }[];
  version: number;
}

/**
 * Capacity as one small document per resource: a slot is claimed or freed with a conditional write
 * on `version`, so several instances can never hold more slots than the capacity between them.
 */
export function capacitySlots(db: Db, collectionName: string, resource: string) {
  const collection: Collection<CapacitySlotsDocument> = db.collection<CapacitySlotsDocument>(collectionName);

  async function change(
    update: (holders: CapacitySlotsDocument['holders']) => CapacitySlotsDocument['holders'] | null,
  ) {
    for (let attempt = 1; ; attempt++) {
      const current = await collection.findOne({ _id: resource });
      const next = update(current?.holders ?? []);
      if (next === null) return false;
      if (!current) {
        try {
          await collection.insertOne({ _id: resource, partition_key: resource, holders: next, version: 1 });
          return true;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      } else {
        const written = await collection.updateOne(
          { _id: resource, version: current.version },
          { $set: { holders: next }, $inc: { version: 1 } },
        );
        if (written.matchedCount === 1) return true;
      }
      await contentionPause(attempt);
    }
  }

  const slots = {
    async holders(): Promise<CapacitySlotsDocument['holders']> {
      return (await collection.findOne({ _id: resource }))?.holders ?? [];
    },
    /** Claims a slot for `id` if one is free (true also when it already holds one). */
    async claim(id: string, capacity: number, at: Date): Promise<boolean> {
      const claimed = await change((holders) => {
        if (holders.some((holder) => holder.id === id)) return null;
        if (holders.length >= capacity) return null;
        return [...holders, { id, since: at }];
      });
      return claimed || (await slots.holders()).some((holder) => holder.id === id);
    },
    async free(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      await change((holders) => {
        const remaining = holders.filter((holder) => !ids.includes(holder.id));
        return remaining.length === holders.length ? null : remaining;
      });
    },
  };
  return slots;
}
