import {
  STOCK_RECEIPT_STATE,
  type StockReceiptDocument,
  type StockReceiptState,
} from '@az-shop/common/schemas';
import type { Stock, StockChange } from './types';

/**
 * Exactly-once for factory outputs with a bounded ledger, pure (docs/domain.md "The stock ledger").
 *
 * An output's qty goes into the ledger's onHand in one atomic write that also puts the output's id in
 * the ledger's in-flight set (`appliedOutputs`); its receipt in `stock_receipts` is then marked
 * applied and only after that is the id taken off the ledger. So at any moment an output that was
 * counted is named by its ledger (in flight) or by its applied receipt (settled), or both, and a
 * repeat finds it in one of the two. The handler runs `outputPlan`; after a crash between any two of
 * its steps, the plan of the state left behind is the rest of the interrupted plan.
 */

/** What the handler of one output does next, in order. */
export const OUTPUT_ACTION = {
  /** Add the qty to onHand and the id to the in-flight set (`applyOutput`), then serve the queue. */
  Apply: 'apply',
  /** Mark the receipt applied (creating it applied when it is missing: an id from before receipts). */
  MarkApplied: 'markApplied',
  /** Take the id off the ledger (`retireOutput`); the applied receipt now keeps repeats out. */
  Retire: 'retire',
} as const;
export type OutputAction = (typeof OUTPUT_ACTION)[keyof typeof OUTPUT_ACTION];

/**
 * What the handler saw, in this order: the ledger first (is the id in flight?), then, when it is not,
 * the receipt (inserted pending, or the one already there). The order matters for `Apply`: its write is
 * conditional on the ledger being unchanged since that read, so no retirement of the id can have
 * happened between the receipt being seen pending and the qty being added (see `outputPlan`).
 */
export type OutputSeen = { inFlight: true } | { inFlight: false; receipt: StockReceiptState };

/**
 * The rest of the work for an output. `retire: false` keeps ids on the ledger (the markers never
 * shrink, as before receipts existed), for a release that runs beside a version without receipts.
 *
 * | ledger        | receipt | plan                               |
 * | ------------- | ------- | ---------------------------------- |
 * | not in flight | pending | Apply, MarkApplied, Retire         |
 * | in flight     | any     | MarkApplied, Retire                |
 * | not in flight | applied | Retire (only a leftover: see below) |
 *
 * Why `Apply` is safe when the receipt was seen pending and the ledger did not name the id: an id
 * leaves the ledger only after its receipt is applied (MarkApplied comes before Retire, and a receipt
 * never goes back to pending), so the id had not left before the receipt was seen pending, and the
 * write lands only if the ledger did not change since it was read before that. The id was therefore
 * never applied. (A concurrent handler of the same output — a stale lease holder — that retired it in
 * between changed the ledger's `version`, so this write loses and the next look sees the receipt
 * applied.) In the last row the ledger named nothing when read, but such a concurrent handler may have
 * applied the id since and died before taking it off: Retire is a no-op unless the id is there.
 */
export function outputPlan(seen: OutputSeen, options: { retire: boolean }): OutputAction[] {
  const plan: OutputAction[] = seen.inFlight
    ? [OUTPUT_ACTION.MarkApplied, OUTPUT_ACTION.Retire]
    : seen.receipt === STOCK_RECEIPT_STATE.Applied
      ? [OUTPUT_ACTION.Retire]
      : [OUTPUT_ACTION.Apply, OUTPUT_ACTION.MarkApplied, OUTPUT_ACTION.Retire];
  return options.retire ? plan : plan.filter((action) => action !== OUTPUT_ACTION.Retire);
}

export interface OutputReceived {
  outputId: string;
  productId: string;
  warehouse: string;
  qty: number;
}

/** The receipt written when an output is first seen (`partition_key` = the product, as the ledger's). */
export function pendingReceipt(output: OutputReceived, at: Date): StockReceiptDocument {
  return {
    _id: output.outputId,
    partition_key: output.productId,
    productId: output.productId,
    warehouse: output.warehouse,
    qty: output.qty,
    state: STOCK_RECEIPT_STATE.Pending,
    receivedAt: at,
  };
}

/** The receipt once marked applied (`MarkApplied`; created applied when missing). `appliedAt` keeps the first. */
export function appliedReceipt(
  receipt: StockReceiptDocument | null,
  output: OutputReceived,
  at: Date,
): StockReceiptDocument {
  const base = receipt ?? pendingReceipt(output, at);
  return { ...base, state: STOCK_RECEIPT_STATE.Applied, appliedAt: base.appliedAt ?? at };
}

export function isInFlight(stock: Stock, outputId: string): boolean {
  return stock.appliedOutputs.includes(outputId);
}

/** Takes settled outputs (receipts applied) off the ledger. Idempotent: ids not there change nothing. */
export function retireOutputs(stock: Stock, outputIds: readonly string[]): StockChange {
  const remaining = stock.appliedOutputs.filter((id) => !outputIds.includes(id));
  if (remaining.length === stock.appliedOutputs.length) return { stock, changed: false, allocated: [] };
  return { stock: { ...stock, appliedOutputs: remaining }, changed: true, allocated: [] };
}

/**
 * Σ qty of the outputs counted in the ledger's onHand, by the receipts: every applied one, and a
 * pending one whose id is in flight (applied, receipt not yet marked). Receipts of other ledgers are
 * ignored.
 */
export function countedOutputs(stock: Stock, receipts: readonly StockReceiptDocument[]): number {
  return receipts
    .filter((r) => r.productId === stock.productId && r.warehouse === stock.warehouse)
    .filter((r) => r.state === STOCK_RECEIPT_STATE.Applied || isInFlight(stock, r._id))
    .reduce((sum, r) => sum + r.qty, 0);
}

/**
 * The ledger against its receipts; an empty list when they agree: onHand = Σ outputs counted −
 * shipped, and every id in flight has a receipt (true of every id applied since receipts exist).
 */
export function receiptProblems(stock: Stock, receipts: readonly StockReceiptDocument[]): string[] {
  const problems: string[] = [];
  const counted = countedOutputs(stock, receipts);
  if (stock.onHand !== counted - stock.shipped)
    problems.push(`onHand ${stock.onHand} ≠ Σ outputs counted ${counted} − shipped ${stock.shipped}`);
  const known = new Set(receipts.map((r) => r._id));
  for (const id of stock.appliedOutputs)
    if (!known.has(id)) problems.push(`output ${id} in flight without a receipt`);
  return problems;
}
