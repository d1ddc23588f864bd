import { capacitySlots } from '@az-shop/common';
import type { Db } from 'mongodb';

/** Picking capacity claims (owned by ordering): one document per warehouse. */
export const PICKING_SLOTS = 'picking_slots';

export const pickingSlots = (db: Db, warehouse: string) => capacitySlots(db, PICKING_SLOTS, warehouse);
