import {
  FULFILMENT_STAGE,
  type FulfilmentDocument,
  type FulfilmentStage,
  TERMINAL_FULFILMENT_STAGES,
} from '@az-shop/common';

/** The board's columns, in the order an order moves through them; the last four are where it ends. */
export const BOARD_STAGES: readonly FulfilmentStage[] = [
  FULFILMENT_STAGE.Placed,
  FULFILMENT_STAGE.Reserved,
  FULFILMENT_STAGE.Backordered,
  FULFILMENT_STAGE.Picking,
  FULFILMENT_STAGE.Shipped,
  ...TERMINAL_FULFILMENT_STAGES,
];

/** Stages where an unpaid order keeps units off the shelf (Placed has not been given any yet). */
export const HOLDING_STAGES: readonly FulfilmentStage[] = [
  FULFILMENT_STAGE.Reserved,
  FULFILMENT_STAGE.Backordered,
];

/** One order on the board. */
export interface BoardCard {
  orderId: string;
  userId: string;
  stage: FulfilmentStage;
  placedAt: string;
  payBy: string;
  paid: boolean;
  units: number;
  heldUnits: number;
  total: number;
  currency: string;
  /** When it entered its stage (its last history entry). */
  since: string;
  version: number;
}

export interface BoardColumn {
  stage: FulfilmentStage;
  /** All orders in the stage; `cards` holds only the newest `limit` of them. */
  total: number;
  cards: BoardCard[];
}

export interface UnpaidHold {
  orderId: string;
  placedAt: string;
  payBy: string;
  heldUnits: number;
  /** How long it has held units unpaid, at `at` of the board. */
  ageSeconds: number;
}

export interface OrderBoard {
  at: string;
  columns: BoardColumn[];
  picking: { inUse: number; capacity: number };
  oldestUnpaidHold: UnpaidHold | null;
}

/**
 * A change of one order, as board pages get it between snapshots: its card, which a page moves to
 * its stage's column (the page knows where it was). A change stream gives only the document after
 * the change, so the stage it left is not known here; the next snapshot corrects the counts.
 */
export interface BoardDelta {
  orderId: string;
  stage: FulfilmentStage;
  card: BoardCard;
}

export function toCard(doc: FulfilmentDocument): BoardCard {
  const last = doc.history.at(-1);
  return {
    orderId: doc._id,
    userId: doc.userId,
    stage: doc.stage,
    placedAt: doc.placedAt.toISOString(),
    payBy: doc.payBy.toISOString(),
    paid: doc.paid,
    units: doc.lines.reduce((sum, line) => sum + line.qty, 0),
    heldUnits: heldUnits(doc),
    total: doc.total,
    currency: doc.currency,
    since: (last?.at ?? doc.placedAt).toISOString(),
    version: doc.version,
  };
}

function heldUnits(doc: Pick<FulfilmentDocument, 'lines'>): number {
  return doc.lines.reduce((sum, line) => sum + (line.held ? line.qty : 0), 0);
}

/** Unpaid and keeping units off the shelf: what the oldest-unpaid-hold figure is about. */
export function isUnpaidHold(doc: Pick<FulfilmentDocument, 'stage' | 'paid' | 'lines'>): boolean {
  return !doc.paid && HOLDING_STAGES.includes(doc.stage) && heldUnits(doc) > 0;
}

export function toDelta(doc: FulfilmentDocument): BoardDelta {
  return { orderId: doc._id, stage: doc.stage, card: toCard(doc) };
}

export interface BoardParts {
  /** Orders per stage; a stage missing here has none. */
  counts: ReadonlyMap<FulfilmentStage, number>;
  /** The newest orders of each stage (at most the column's limit). */
  newest: ReadonlyMap<FulfilmentStage, readonly FulfilmentDocument[]>;
  pickingCapacity: number;
  /** The unpaid hold with the earliest payBy, if any. */
  oldestUnpaid: FulfilmentDocument | null;
  now: Date;
}

export function buildBoard({ counts, newest, pickingCapacity, oldestUnpaid, now }: BoardParts): OrderBoard {
  return {
    at: now.toISOString(),
    columns: BOARD_STAGES.map((stage) => ({
      stage,
      total: counts.get(stage) ?? 0,
      cards: (newest.get(stage) ?? []).map(toCard),
    })),
    picking: { inUse: counts.get(FULFILMENT_STAGE.Picking) ?? 0, capacity: pickingCapacity },
    oldestUnpaidHold:
      oldestUnpaid && isUnpaidHold(oldestUnpaid)
        ? {
            orderId: oldestUnpaid._id,
            placedAt: oldestUnpaid.placedAt.toISOString(),
            payBy: oldestUnpaid.payBy.toISOString(),
            heldUnits: heldUnits(oldestUnpaid),
            ageSeconds: Math.max(0, Math.floor((now.getTime() - oldestUnpaid.placedAt.getTime()) / 1000)),
          }
        : null,
  };
}
