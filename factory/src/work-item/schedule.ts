import type { WorkItem } from './types';

/**
 * Which waiting work items may start building now: first come first served (by `waitingSince`,
 * then id), at most the free capacity. Pure.
 */
export function planBuilds(
  waiting: readonly WorkItem[],
  buildingCount: number,
  capacity: number,
): WorkItem[] {
  const free = Math.max(0, capacity - buildingCount);
  return [...waiting].sort(byQueueOrder).slice(0, free);
}

export function byQueueOrder(a: WorkItem, b: WorkItem): number {
  const byTime = (a.waitingSince?.getTime() ?? 0) - (b.waitingSince?.getTime() ?? 0);
  return byTime !== 0 ? byTime : a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

/** Build progress for the board (defined with the schema, so web's boards use the same rule). */
export { buildProgress } from '@az-shop/common/schemas';
