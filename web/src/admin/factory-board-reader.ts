import { WORK_ITEM_STAGE, WORK_ITEMS, type WorkItemDocument, type WorkItemStage } from '@az-shop/common';
import type { Collection, Db, Filter, Sort } from 'mongodb';
import { BOARD_STAGES, buildBoard, CHART_HOURS, type FactoryBoard, TERMINAL_STAGES } from './factory-board';

/** Items listed per column (the column's `count` has them all). */
const ACTIVE_PAGE = 100;
const TERMINAL_PAGE = 20;

/** How each column is read: by the factory's own indexes (`stage`+`waitingSince`, `stage`+`buildEndsAt`). */
const SORTS: Partial<Record<WorkItemStage, Sort>> = {
  [WORK_ITEM_STAGE.FactoryReady]: { waitingSince: 1, _id: 1 },
  [WORK_ITEM_STAGE.Building]: { buildEndsAt: 1, _id: 1 },
  [WORK_ITEM_STAGE.InventoryAvailable]: { buildEndsAt: -1, _id: -1 },
};

/** Reads the board: a page per column, every column's count, the builds finished in the chart's hours. */
export function boardReader(db: Db, capacityTotal: number, now = () => new Date()) {
  const items: Collection<WorkItemDocument> = db.collection<WorkItemDocument>(WORK_ITEMS);
  return async function readBoard(): Promise<FactoryBoard> {
    const at = now();
    const since = new Date(at.getTime() - CHART_HOURS * 3600_000);
    const [pages, counts, finished] = await Promise.all([
      Promise.all(
        BOARD_STAGES.map((stage) =>
          items
            .find({ stage } as Filter<WorkItemDocument>)
            .sort(SORTS[stage] ?? { _id: TERMINAL_STAGES.includes(stage) ? -1 : 1 })
            .limit(TERMINAL_STAGES.includes(stage) ? TERMINAL_PAGE : ACTIVE_PAGE)
            .toArray(),
        ),
      ),
      Promise.all(BOARD_STAGES.map(async (stage) => [stage, await items.countDocuments({ stage })] as const)),
      // Built = past Building; the build ended at `completedAt` (`buildEndsAt` is the index's field).
      items
        .find(
          {
            stage: {
              $in: [
                WORK_ITEM_STAGE.FactoryComplete,
                WORK_ITEM_STAGE.MoveToWarehouse,
                WORK_ITEM_STAGE.InventoryAvailable,
              ],
            },
            buildEndsAt: { $gte: since },
          },
          { projection: { qty: 1, completedAt: 1, buildEndsAt: 1 } },
        )
        .toArray(),
    ]);
    return buildBoard({
      items: pages.flat(),
      counts: Object.fromEntries(counts),
      capacityTotal,
      finished: finished.flatMap((item) => {
        const end = item.completedAt ?? item.buildEndsAt;
        return end ? [{ at: end, qty: item.qty }] : [];
      }),
      now: at,
    });
  };
}
