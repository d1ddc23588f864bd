import { stockId } from '@az-shop/common/schemas';
import { HOLD_OUTCOME, type HoldOutcome, type Stock, type StockChange } from './types';

/**
 * Allocation rules, pure. The ledger of a product holds every hold and the backorder queue, so a
 * change is one conditional write of one document.
 *
 * Rules (docs/domain.md):
 * - Lines of the same product in one order are added together before reserving (`aggregateLines`).
 * - Per product, a line is held whole or not at all; across products an order holds what it can.
 * - First come, first served: a new order may take units only when nobody is queued for the product;
 *   otherwise it joins the queue. The queue is served strictly in order as units arrive or come back.
 */
export function emptyStock(warehouse: string, productId: string): Stock {
  return {
    _id: stockId(warehouse, productId),
    productId,
    warehouse,
    onHand: 0,
    reserved: 0,
    available: 0,
    shipped: 0,
    holds: [],
    waiting: [],
    toNotify: [],
    appliedOutputs: [],
  };
}

export interface Line {
  productId: string;
  qty: number;
}

/** Adds up lines of the same product, keeping the order in which products first appear. */
export function aggregateLines(lines: readonly Line[]): Line[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.qty);
  return [...totals].map(([productId, qty]) => ({ productId, qty }));
}

export function holdOf(stock: Stock, fulfilmentId: string): number {
  return stock.holds.find((hold) => hold.fulfilmentId === fulfilmentId)?.qty ?? 0;
}

export function isWaiting(stock: Stock, fulfilmentId: string): boolean {
  return stock.waiting.some((waiter) => waiter.fulfilmentId === fulfilmentId);
}

/** Holds `qty` for the fulfilment if nobody is queued and enough is available, else queues it. Idempotent. */
export function reserve(
  stock: Stock,
  request: { fulfilmentId: string; qty: number; at: Date },
): StockChange & { outcome: HoldOutcome } {
  const { fulfilmentId, qty, at } = request;
  if (holdOf(stock, fulfilmentId) > 0)
    return { stock, changed: false, allocated: [], outcome: HOLD_OUTCOME.Held };
  if (isWaiting(stock, fulfilmentId))
    return { stock, changed: false, allocated: [], outcome: HOLD_OUTCOME.Waiting };
  if (stock.waiting.length === 0 && stock.available >= qty) {
    return {
      stock: hold(stock, fulfilmentId, qty),
      changed: true,
      allocated: [],
      outcome: HOLD_OUTCOME.Held,
    };
  }
  const queued = { ...stock, waiting: [...stock.waiting, { fulfilmentId, qty, since: at }] };
  return { stock: queued, changed: true, allocated: [], outcome: HOLD_OUTCOME.Waiting };
}

/**
 * Adds a factory output to the shelf, puts its id in the in-flight set, then serves the queue. A no-op
 * while the id is in flight; once it has left the set, the output's applied receipt keeps it out
 * (`outputPlan` in ./receipts.ts decides when this may run).
 */
export function applyOutput(stock: Stock, output: { outputId: string; qty: number }): StockChange {
  if (stock.appliedOutputs.includes(output.outputId)) return { stock, changed: false, allocated: [] };
  const added: Stock = {
    ...stock,
    onHand: stock.onHand + output.qty,
    available: stock.available + output.qty,
    appliedOutputs: [...stock.appliedOutputs, output.outputId],
  };
  return { ...allocateWaiting(added), changed: true };
}

/** Gives back what the fulfilment holds, or takes it out of the queue, then serves the queue. Idempotent. */
export function release(stock: Stock, fulfilmentId: string): StockChange {
  const held = holdOf(stock, fulfilmentId);
  const waiting = isWaiting(stock, fulfilmentId);
  if (held === 0 && !waiting) return { stock, changed: false, allocated: [] };
  const released: Stock = {
    ...stock,
    reserved: stock.reserved - held,
    available: stock.available + held,
    holds: stock.holds.filter((h) => h.fulfilmentId !== fulfilmentId),
    waiting: stock.waiting.filter((w) => w.fulfilmentId !== fulfilmentId),
  };
  return { ...allocateWaiting(released), changed: true };
}

/** Takes the held units off the shelf when the order ships. Idempotent: a second call changes nothing. */
export function ship(stock: Stock, fulfilmentId: string): StockChange {
  const held = holdOf(stock, fulfilmentId);
  if (held === 0) return { stock, changed: false, allocated: [] };
  const shipped: Stock = {
    ...stock,
    onHand: stock.onHand - held,
    reserved: stock.reserved - held,
    shipped: stock.shipped + held,
    holds: stock.holds.filter((h) => h.fulfilmentId !== fulfilmentId),
  };
  return { stock: shipped, changed: true, allocated: [] };
}

/** Serves the queue strictly in order while the head fits; the served are added to `toNotify`. */
export function allocateWaiting(stock: Stock): { stock: Stock; allocated: string[] } {
  let next = stock;
  const allocated: string[] = [];
  for (;;) {
    const head = next.waiting[0];
    if (!head || next.available < head.qty) break;
    next = { ...hold(next, head.fulfilmentId, head.qty), waiting: next.waiting.slice(1) };
    allocated.push(head.fulfilmentId);
  }
  if (allocated.length === 0) return { stock, allocated };
  return { stock: { ...next, toNotify: [...next.toNotify, ...allocated] }, allocated };
}

/** Forgets notifications that were delivered to their fulfilments. */
export function acknowledge(stock: Stock, fulfilmentIds: readonly string[]): StockChange {
  const remaining = stock.toNotify.filter((id) => !fulfilmentIds.includes(id));
  if (remaining.length === stock.toNotify.length) return { stock, changed: false, allocated: [] };
  return { stock: { ...stock, toNotify: remaining }, changed: true, allocated: [] };
}

/** The ledger's invariants; an empty list when they hold. */
export function stockProblems(stock: Stock): string[] {
  const problems: string[] = [];
  const heldTotal = stock.holds.reduce((sum, h) => sum + h.qty, 0);
  if (stock.onHand < 0) problems.push(`onHand ${stock.onHand} < 0`);
  if (stock.reserved < 0) problems.push(`reserved ${stock.reserved} < 0`);
  if (stock.available < 0) problems.push(`available ${stock.available} < 0`);
  if (stock.available !== stock.onHand - stock.reserved) problems.push('available ≠ onHand − reserved');
  if (stock.reserved !== heldTotal) problems.push(`reserved ${stock.reserved} ≠ Σ holds ${heldTotal}`);
  const head = stock.waiting[0];
  if (head && stock.available >= head.qty) problems.push('the queue head fits but waits');
  if (new Set(stock.appliedOutputs).size !== stock.appliedOutputs.length)
    problems.push('an output is in flight twice');
  return problems;
}

function hold(stock: Stock, fulfilmentId: string, qty: number): Stock {
  return {
    ...stock,
    reserved: stock.reserved + qty,
    available: stock.available - qty,
    holds: [...stock.holds, { fulfilmentId, qty }],
  };
}
