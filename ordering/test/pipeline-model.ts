import type { StockReceiptDocument } from '@az-shop/common';
import { decide } from '../src/fulfilment/decide';
import { evolveAll } from '../src/fulfilment/evolve';
import { isTerminal, OPEN_STAGES } from '../src/fulfilment/rules';
import {
  FULFILMENT_STAGE,
  type Fulfilment,
  type FulfilmentCommand,
  isRejection,
  REJECTION,
} from '../src/fulfilment/types';
import {
  acknowledge,
  appliedReceipt,
  applyOutput,
  emptyStock,
  HOLD_OUTCOME,
  isInFlight,
  OUTPUT_ACTION,
  type OutputReceived,
  outputPlan,
  pendingReceipt,
  receiptProblems,
  release,
  reserve,
  retireOutputs,
  type Stock,
  ship,
  stockProblems,
} from '../src/stock/index';

/**
 * The pipeline with the pure deciders and allocation rules and in-memory state: the same steps the
 * I/O handlers take, without Mongo. Property tests drive it with random sequences.
 */
export class PipelineModel {
  readonly stock = new Map<string, Stock>();
  readonly fulfilments = new Map<string, Fulfilment>();
  /** The factory's outputs (the first write of an id wins, as with its deterministic `_id`). */
  readonly outputs = new Map<string, OutputReceived>();
  /** `stock_receipts`. */
  readonly receipts = new Map<string, StockReceiptDocument>();
  /** Outputs whose delivery stopped part-way (a crash) and was not completed since. */
  readonly interrupted = new Set<string>();
  now: Date;

  constructor(
    readonly settings = { pickingCapacity: 2, pickingSeconds: 10, deliverySeconds: 20, holdMinutes: 15 },
    start = new Date('2026-01-01T00:00:00Z'),
  ) {
    this.now = start;
  }

  private ledger(productId: string): Stock {
    return this.stock.get(productId) ?? emptyStock('main', productId);
  }

  private changeStock<R extends { stock: Stock }>(productId: string, change: (stock: Stock) => R): R {
    const result = change(this.ledger(productId));
    this.stock.set(productId, result.stock);
    return result;
  }

  private execute(id: string, command: FulfilmentCommand) {
    const state = this.fulfilments.get(id) ?? null;
    const decision = decide(command, state, this.now);
    if (isRejection(decision)) return { state, rejection: decision };
    const next = evolveAll(state, decision);
    if (next) this.fulfilments.set(id, next);
    return { state: next, rejection: undefined };
  }

  /** An order at 100 a unit, its total the sum of its lines (as web writes it). */
  placeOrder(orderId: string, lines: { productId: string; qty: number }[]): void {
    const order = {
      orderId,
      userId: `u-${orderId}`,
      partitionKey: `u-${orderId}`,
      warehouse: 'main',
      lines: lines.map((line) => ({ ...line, unitPrice: 100 })),
      total: lines.reduce((sum, line) => sum + line.qty * 100, 0),
      currency: 'EUR',
      placedAt: this.now,
    };
    const placed = this.execute(orderId, {
      type: 'PlaceOrder',
      order,
      holdMinutes: this.settings.holdMinutes,
      catalog: Object.fromEntries(lines.map((line) => [line.productId, { amount: 100, currency: 'EUR' }])),
    });
    if (!placed.state || placed.state.stage !== FULFILMENT_STAGE.Placed) return;
    const held: string[] = [];
    for (const line of placed.state.lines) {
      const { outcome } = this.changeStock(line.productId, (s) =>
        reserve(s, { fulfilmentId: orderId, qty: line.qty, at: this.now }),
      );
      if (outcome === HOLD_OUTCOME.Held) held.push(line.productId);
    }
    this.execute(orderId, { type: 'RecordAllocation', heldProductIds: held });
  }

  /**
   * The factory writes an output (ignored when the id exists) and ordering receives it. `crashAfter`
   * stops the delivery after that many of its writes (receipt insert, then the plan's actions), as a
   * crash would; the output is then delivered again by `redeliver` or `catchUp`.
   */
  factoryOutput(outputId: string, productId: string, qty: number, crashAfter?: number): void {
    if (!this.outputs.has(outputId))
      this.outputs.set(outputId, { outputId, productId, warehouse: 'main', qty });
    this.redeliver(outputId, crashAfter);
  }

  /** The handler's steps (handlers.ts `receiveOutput`) with the pure functions, then the queue's notices. */
  redeliver(outputId: string, crashAfter = Number.POSITIVE_INFINITY): void {
    const output = this.outputs.get(outputId);
    if (!output) return;
    if (this.deliver(output, crashAfter)) this.interrupted.delete(outputId);
    else this.interrupted.add(outputId);
  }

  /** One delivery; false when it stopped (a crash) after `crashAfter` writes. */
  private deliver(output: OutputReceived, crashAfter: number): boolean {
    const { outputId, productId } = output;
    let writes = 0;
    const write = () => writes++ < crashAfter;
    const ledger = this.ledger(productId);
    let seen: Parameters<typeof outputPlan>[0] = { inFlight: true };
    if (!isInFlight(ledger, outputId)) {
      const receipt = this.receipts.get(outputId);
      if (!receipt) {
        if (!write()) return false;
        this.receipts.set(outputId, pendingReceipt(output, this.now));
      }
      seen = { inFlight: false, receipt: receipt?.state ?? 'pending' };
    }
    for (const action of outputPlan(seen, { retire: true })) {
      if (!write()) return false;
      if (action === OUTPUT_ACTION.Apply) this.changeStock(productId, (s) => applyOutput(s, output));
      if (action === OUTPUT_ACTION.MarkApplied)
        this.receipts.set(outputId, appliedReceipt(this.receipts.get(outputId) ?? null, output, this.now));
      if (action === OUTPUT_ACTION.Retire) this.changeStock(productId, (s) => retireOutputs(s, [outputId]));
    }
    // Other ids on the ledger (an interrupted delivery of another output): settled as their own would.
    const leftovers = ledger.appliedOutputs.filter((id) => id !== outputId && this.outputs.has(id));
    if (leftovers.length > 0) {
      if (!write()) return false;
      for (const id of leftovers)
        this.receipts.set(id, appliedReceipt(this.receipts.get(id) ?? null, this.outputs.get(id)!, this.now));
      if (!write()) return false;
      this.changeStock(productId, (s) => retireOutputs(s, leftovers));
    }
    if (!write()) return false;
    this.deliverAllocations(productId);
    return true;
  }

  /** Every output delivered again, in `_id` order: the processor's catch-up scan after lost history. */
  catchUp(): void {
    for (const outputId of [...this.outputs.keys()].sort()) this.redeliver(outputId);
  }

  /** A payment by the order's user, of the order's total unless `amount` says otherwise. */
  pay(orderId: string, paymentId: string, amount = this.fulfilments.get(orderId)?.total ?? 100): void {
    const userId = `u-${orderId}`;
    this.execute(orderId, {
      type: 'AuthorizePayment',
      paymentId,
      amount,
      currency: 'EUR',
      status: 'authorized',
      userId,
      partitionKey: userId,
    });
  }

  cancel(orderId: string, cancellationId: string): void {
    const userId = `u-${orderId}`;
    const result = this.execute(orderId, {
      type: 'RequestCancellation',
      cancellationId,
      userId,
      partitionKey: userId,
    });
    if (result.state) this.settle(result.state);
  }

  advance(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  /** One pass of the durable timers. */
  tick(): void {
    for (const f of [...this.fulfilments.values()]) {
      if (OPEN_STAGES.includes(f.stage) && f.payBy <= this.now) {
        const result = this.execute(f._id, { type: 'Expire' });
        if (result.state) this.settle(result.state);
      }
    }
    for (const f of [...this.fulfilments.values()]) {
      if (f.stage === FULFILMENT_STAGE.Picking && f.pickingEndsAt && f.pickingEndsAt <= this.now) {
        const result = this.execute(f._id, { type: 'Ship', deliverySeconds: this.settings.deliverySeconds });
        if (result.state) this.settle(result.state);
      }
    }
    const ready = [...this.fulfilments.values()]
      .filter((f) => f.stage === FULFILMENT_STAGE.Reserved && f.paid)
      .sort((a, b) => (a.paidAt?.getTime() ?? 0) - (b.paidAt?.getTime() ?? 0));
    for (const f of ready) {
      if (this.picking() >= this.settings.pickingCapacity) break;
      this.execute(f._id, {
        type: 'StartPicking',
        pickingSeconds: this.settings.pickingSeconds,
        capacityClaimed: true,
      });
    }
    for (const f of [...this.fulfilments.values()]) {
      if (f.stage === FULFILMENT_STAGE.Shipped && f.deliverAt && f.deliverAt <= this.now) {
        this.execute(f._id, { type: 'Deliver' });
      }
    }
  }

  picking(): number {
    return [...this.fulfilments.values()].filter((f) => f.stage === FULFILMENT_STAGE.Picking).length;
  }

  private settle(fulfilment: Fulfilment): void {
    if (!fulfilment.stockPending) return;
    for (const line of fulfilment.lines) {
      if (fulfilment.stockPending === 'ship')
        this.changeStock(line.productId, (s) => ship(s, fulfilment._id));
      else {
        this.changeStock(line.productId, (s) => release(s, fulfilment._id));
        this.deliverAllocations(line.productId);
      }
    }
    this.execute(fulfilment._id, { type: 'SettleStock' });
  }

  private deliverAllocations(productId: string): void {
    for (;;) {
      const pending = this.ledger(productId).toNotify;
      if (pending.length === 0) return;
      for (const id of pending) {
        const result = this.execute(id, { type: 'AllocateLine', productId });
        if (result.rejection?.kind === REJECTION.IllegalState)
          this.changeStock(productId, (s) => release(s, id));
      }
      this.changeStock(productId, (s) => acknowledge(s, pending));
    }
  }

  /** Every invariant of the pipeline; an empty list when all hold. */
  problems(): string[] {
    const problems: string[] = [];
    const receipts = [...this.receipts.values()];
    for (const [productId, s] of this.stock) {
      // available = onHand − reserved ≥ 0, reserved = Σ holds, the queue head does not fit, no id twice;
      // onHand = Σ outputs counted (receipts applied, or pending and in flight) − shipped.
      for (const problem of [...stockProblems(s), ...receiptProblems(s, receipts)])
        problems.push(`${productId}: ${problem}`);
      // Until an interrupted delivery of the product's output is completed, the units it gave the
      // queue may not have reached their fulfilments yet (its last step, the notices, was not done).
      const settling = [...this.interrupted].some((id) => this.outputs.get(id)?.productId === productId);
      if (settling) continue;
      const heldByLive = [...this.fulfilments.values()]
        .filter((f) => !isTerminal(f.stage) && f.stage !== FULFILMENT_STAGE.Shipped)
        .flatMap((f) => f.lines.filter((l) => l.productId === productId && l.held).map((l) => l.qty))
        .reduce((a, b) => a + b, 0);
      if (s.reserved !== heldByLive)
        problems.push(`${productId}: reserved ${s.reserved} ≠ held by live fulfilments ${heldByLive}`);
      if (s.toNotify.length > 0) problems.push(`${productId}: undelivered allocations`);
    }
    // A delivery that ran to its end leaves the output counted for good and the ledger without its id.
    for (const [outputId, output] of this.outputs) {
      if (this.interrupted.has(outputId)) continue;
      if (this.receipts.get(outputId)?.state !== 'applied') problems.push(`${outputId}: receipt not applied`);
      if (isInFlight(this.ledger(output.productId), outputId))
        problems.push(`${outputId}: still on the ledger`);
    }
    for (const f of this.fulfilments.values()) {
      if (f.stage === FULFILMENT_STAGE.Expired && f.paid) problems.push(`${f._id}: paid but expired`);
      if (f.stockPending) problems.push(`${f._id}: stock work left`);
      const terminalEntries = f.history.filter((h) => isTerminal(h.stage) && h.note === undefined);
      const terminalStages = new Set(terminalEntries.map((h) => h.stage));
      if (terminalStages.size > 1) problems.push(`${f._id}: more than one terminal stage`);
    }
    if (this.picking() > this.settings.pickingCapacity) problems.push('picking over capacity');
    return problems;
  }
}
