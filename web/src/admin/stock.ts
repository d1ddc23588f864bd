import {
  type StockDocument,
  WORK_ITEM_STAGE,
  type WorkItemDocument,
  type WorkItemStage,
} from '@az-shop/common';

/** Work item stages after which its units are no longer "in production" (on the shelf, or never coming). */
export const FINISHED_WORK_STAGES: readonly WorkItemStage[] = [
  WORK_ITEM_STAGE.InventoryAvailable,
  WORK_ITEM_STAGE.Failed,
  WORK_ITEM_STAGE.Cancelled,
];

/** One product's stock over all warehouses. */
export interface StockRow {
  productId: string;
  heading: string;
  onHand: number;
  /** Units held for orders (reserved). */
  held: number;
  available: number;
  /** Units orders wait for (the backorder queues). */
  backordered: number;
  /** Units the factory is building or moving to a warehouse. */
  inProduction: number;
}

export interface StockParts {
  /** Catalog products (archived too), by id: heading. */
  headings: ReadonlyMap<string, string>;
  ledgers: readonly Pick<StockDocument, 'productId' | 'onHand' | 'reserved' | 'available' | 'waiting'>[];
  workItems: readonly Pick<WorkItemDocument, 'productId' | 'qty' | 'stage'>[];
}

/** Every product of the catalog or of a ledger, by heading; one with no ledger has 0 of everything. */
export function stockRows({ headings, ledgers, workItems }: StockParts): StockRow[] {
  const rows = new Map<string, StockRow>();
  const row = (productId: string): StockRow => {
    let found = rows.get(productId);
    if (!found) {
      found = {
        productId,
        heading: headings.get(productId) ?? productId,
        onHand: 0,
        held: 0,
        available: 0,
        backordered: 0,
        inProduction: 0,
      };
      rows.set(productId, found);
    }
    return found;
  };
  for (const productId of headings.keys()) row(productId);
  for (const ledger of ledgers) {
    const target = row(ledger.productId);
    target.onHand += ledger.onHand;
    target.held += ledger.reserved;
    target.available += Math.max(0, ledger.available);
    target.backordered += ledger.waiting.reduce((sum, waiter) => sum + waiter.qty, 0);
  }
  for (const item of workItems) {
    if (!FINISHED_WORK_STAGES.includes(item.stage)) row(item.productId).inProduction += Math.max(0, item.qty);
  }
  return [...rows.values()].sort(
    (a, b) => a.heading.localeCompare(b.heading) || a.productId.localeCompare(b.productId),
  );
}

/** One point of the available-units chart. */
export interface StockPoint {
  at: string;
  available: number;
}

/** The start of the sampling bucket `at` falls in. */
export function bucketStart(at: Date, bucketMs: number): Date {
  return new Date(Math.floor(at.getTime() / bucketMs) * bucketMs);
}

/**
 * The chart of the last `hours`: the samples in it, oldest first, then the value now (so the chart
 * always ends at the present, even between samples).
 */
export function historyPoints(
  samples: readonly { at: Date; available: number }[],
  current: number,
  now: Date,
  hours: number,
): StockPoint[] {
  const from = now.getTime() - hours * 3_600_000;
  return [
    ...samples
      .filter((sample) => sample.at.getTime() >= from && sample.at.getTime() <= now.getTime())
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((sample) => ({ at: sample.at.toISOString(), available: sample.available })),
    { at: now.toISOString(), available: current },
  ];
}
