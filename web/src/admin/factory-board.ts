import { buildProgress, WORK_ITEM_STAGE, type WorkItemDocument, type WorkItemStage } from '@az-shop/common';

/** The board's columns, in the order work moves through them; the last three are terminal. */
export const BOARD_STAGES: readonly WorkItemStage[] = [
  WORK_ITEM_STAGE.New,
  WORK_ITEM_STAGE.FactoryReady,
  WORK_ITEM_STAGE.Building,
  WORK_ITEM_STAGE.FactoryComplete,
  WORK_ITEM_STAGE.MoveToWarehouse,
  WORK_ITEM_STAGE.InventoryAvailable,
  WORK_ITEM_STAGE.Cancelled,
  WORK_ITEM_STAGE.Failed,
];

/** Terminal columns only grow: the board shows their newest items; the others show the queue's head. */
export const TERMINAL_STAGES: readonly WorkItemStage[] = [
  WORK_ITEM_STAGE.InventoryAvailable,
  WORK_ITEM_STAGE.Cancelled,
  WORK_ITEM_STAGE.Failed,
];

/** Hours of the "units finished per hour" chart, the current hour last. */
export const CHART_HOURS = 12;

export interface BoardItem {
  id: string;
  productId: string;
  qty: number;
  stage: WorkItemStage;
  /** Build start and expected end: the page draws the progress bar from them (and `progress` now). */
  startedAt?: string;
  expectedEndAt?: string;
  progress: number;
  waitingSince?: string;
  /** The order it was made for, when a backorder created it. */
  orderId?: string;
  /** The back-office production request it was made for. */
  requestId?: string;
}

export interface BoardColumn {
  stage: WorkItemStage;
  /** Items in this stage, all of them (the column lists at most a page of them). */
  count: number;
  items: BoardItem[];
  /** Only Building holds factory capacity. */
  capacity?: Capacity;
}

export interface Capacity {
  inUse: number;
  total: number;
}

export interface HourBar {
  /** Start of the hour (UTC), ISO 8601. */
  hour: string;
  units: number;
}

export interface FactoryBoard {
  at: string;
  columns: BoardColumn[];
  capacity: Capacity;
  finishedPerHour: HourBar[];
}

/** A finished build: when it completed and how many units. */
export interface FinishedBuild {
  at: Date;
  qty: number;
}

export interface BoardInput {
  /** Items to list, any order (the board sorts each column); the reader caps each stage. */
  items: readonly WorkItemDocument[];
  /** Items per stage, all of them. */
  counts: Partial<Record<WorkItemStage, number>>;
  capacityTotal: number;
  finished: readonly FinishedBuild[];
  now: Date;
}

const iso = (date: Date | undefined) => date?.toISOString();

/** One work item as the board shows it. Pure. */
export function boardItem(doc: WorkItemDocument, now: Date): BoardItem {
  const { source } = doc;
  const startedAt = iso(doc.buildStartedAt);
  const expectedEndAt = iso(doc.buildEndsAt);
  const waitingSince = iso(doc.waitingSince);
  return {
    id: doc._id,
    productId: doc.productId,
    qty: doc.qty,
    stage: doc.stage,
    ...(startedAt && { startedAt }),
    ...(expectedEndAt && { expectedEndAt }),
    progress: buildProgress(doc, now),
    ...(waitingSince && { waitingSince }),
    // A backorder's fulfilment has its order's id (ordering: one fulfilment per order).
    ...(source.kind === 'backorder' && { orderId: source.fulfilmentId }),
    ...(source.kind === 'production_request' && { requestId: source.requestId }),
  };
}

const HOUR_MS = 3600_000;

/** Units finished in each of the last `hours` whole hours (UTC), the current one last. Pure. */
export function unitsPerHour(finished: readonly FinishedBuild[], now: Date, hours = CHART_HOURS): HourBar[] {
  const current = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const first = current - (hours - 1) * HOUR_MS;
  const units = new Array<number>(hours).fill(0);
  for (const build of finished) {
    const slot = Math.floor((build.at.getTime() - first) / HOUR_MS);
    if (slot >= 0 && slot < hours) units[slot] = (units[slot] ?? 0) + build.qty;
  }
  return units.map((count, slot) => ({ hour: new Date(first + slot * HOUR_MS).toISOString(), units: count }));
}

/** Queue order within a column: waiting first-come first-served, building by end, terminal newest first. */
function columnOrder(stage: WorkItemStage): (a: WorkItemDocument, b: WorkItemDocument) => number {
  const time = (date: Date | undefined) => date?.getTime() ?? 0;
  const byId = (a: WorkItemDocument, b: WorkItemDocument) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
  if (stage === WORK_ITEM_STAGE.FactoryReady)
    return (a, b) => time(a.waitingSince) - time(b.waitingSince) || byId(a, b);
  if (stage === WORK_ITEM_STAGE.Building)
    return (a, b) => time(a.buildEndsAt) - time(b.buildEndsAt) || byId(a, b);
  if (TERMINAL_STAGES.includes(stage)) {
    const last = (item: WorkItemDocument) => time(item.history.at(-1)?.at);
    return (a, b) => last(b) - last(a) || byId(b, a);
  }
  return byId;
}

/** The whole board from what the reader fetched. Pure. */
export function buildBoard({ items, counts, capacityTotal, finished, now }: BoardInput): FactoryBoard {
  const capacity = { inUse: counts[WORK_ITEM_STAGE.Building] ?? 0, total: capacityTotal };
  const columns = BOARD_STAGES.map((stage): BoardColumn => {
    const inStage = items.filter((item) => item.stage === stage).sort(columnOrder(stage));
    return {
      stage,
      count: Math.max(counts[stage] ?? 0, inStage.length),
      items: inStage.map((item) => boardItem(item, now)),
      ...(stage === WORK_ITEM_STAGE.Building && { capacity }),
    };
  });
  return { at: now.toISOString(), columns, capacity, finishedPerHour: unitsPerHour(finished, now) };
}
