import type { Collection, Db } from 'mongodb';
import { changeVersioned } from '../mongo/versioned-write';

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

  /** Applies `update` to the holders; false when it declines (returns null). */
  function change(
    update: (holders: CapacitySlotsDocument['holders']) => CapacitySlotsDocument['holders'] | null,
  ): Promise<boolean> {
    return changeVersioned(collection, resource, (current) => {
      const holders = update(current?.holders ?? []);
      if (holders === null) return { result: false };
      return { result: true, next: { _id: resource, partition_key: resource, holders } };
    });
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
