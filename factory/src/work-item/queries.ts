import type { Db } from 'mongodb';
import { buildProgress } from './schedule';
import { workItemStore } from './store';
import { WORK_ITEM_STAGE, type WorkItem } from './types';

/** For the factory board: a work item with its build progress (0–100) and, while waiting, its place in the queue (1 = next). */
export async function workItemView(
  db: Db,
  item: WorkItem,
  now: Date,
): Promise<WorkItem & { progress: number; queuePosition?: number }> {
  const progress = buildProgress(item, now);
  if (item.stage !== WORK_ITEM_STAGE.FactoryReady || !item.waitingSince) return { ...item, progress };
  const ahead = await workItemStore(db).collection.countDocuments({
    stage: WORK_ITEM_STAGE.FactoryReady,
    $or: [
      { waitingSince: { $lt: item.waitingSince } },
      { waitingSince: item.waitingSince, _id: { $lt: item._id } },
    ],
  });
  return { ...item, progress, queuePosition: ahead + 1 };
}
