import { capacitySlots } from '@az-shop/common';
import type { Db } from 'mongodb';

/** Factory capacity claims (owned by factory): one document per production line. */
export const FACTORY_SLOTS = 'factory_slots';

export const factorySlots = (db: Db, line = 'factory') => capacitySlots(db, FACTORY_SLOTS, line);
