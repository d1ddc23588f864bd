import { WORK_ITEMS } from '@az-shop/common';
import type { Db } from 'mongodb';

/** Indexes the build scheduler queries by; created at start (idempotent). */
export async function ensureFactoryIndexes(db: Db): Promise<void> {
  const workItems = db.collection(WORK_ITEMS);
  await Promise.all([
    workItems.createIndex({ stage: 1, buildEndsAt: 1 }, { name: 'build_end' }),
    workItems.createIndex({ stage: 1, waitingSince: 1 }, { name: 'queue' }),
  ]);
}
