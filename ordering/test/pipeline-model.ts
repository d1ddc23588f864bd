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
  applyOutput,
  emptyStock,
  HOLD_OUTCOME,
  release,
  reserve,
  type Stock,
  ship,
} from '../src/stock/index';

/**
 * The pipeline with the pure deciders and allocation rules and in-memory state: the same steps the
 * I/O handlers take, without Mongo. Property tests drive it with random sequences.
 */
export class PipelineModel {
  readonly stock = new Map<string, Stock>();
  readonly fulfilments = new Map<string, Fulfilment>();
  readonly outputsApplied = new Map<string, number>();
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

  placeOrder(orderId: string, lines: { productId: string; qty: number }[], total = 100): void {
    const order = {
      orderId,
      userId: `u-${orderId}`,
      warehouse: 'main',
      lines,
      total,
      currency: 'EUR',
      placedAt: this.now,
    };
    const placed = this.execute(orderId, {
      type: 'PlaceOrder',
      order,
      holdMinutes: this.settings.holdMinutes,
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

  factoryOutput(outputId: string, productId: string, qty: number): void {
    const { changed } = this.changeStock(productId, (s) => applyOutput(s, { outputId, qty }));
    if (changed) this.outputsApplied.set(productId, (this.outputsApplied.get(productId) ?? 0) + qty);
    this.deliverAllocations(productId);
  }

  pay(orderId: string, paymentId: string, amount: number): void {
    this.execute(orderId, {
      type: 'AuthorizePayment',
      paymentId,
      amount,
      currency: 'EUR',
      status: 'authorized',
    });
  }

  cancel(orderId: string, cancellationId: string): void {
    const result = this.execute(orderId, { type: 'RequestCancellation', cancellationId });
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
    for (const [productId, s] of this.stock) {
      if (s.onHand < 0 || s.reserved < 0 || s.available < 0) problems.push(`${productId}: negative stock`);
      if (s.available !== s.onHand - s.reserved) problems.push(`${productId}: available ≠ onHand − reserved`);
      const outputs = this.outputsApplied.get(productId) ?? 0;
      if (s.onHand !== outputs - s.shipped)
        problems.push(`${productId}: onHand ${s.onHand} ≠ Σ outputs ${outputs} − shipped ${s.shipped}`);
      const heldByLive = [...this.fulfilments.values()]
        .filter((f) => !isTerminal(f.stage) && f.stage !== FULFILMENT_STAGE.Shipped)
        .flatMap((f) => f.lines.filter((l) => l.productId === productId && l.held).map((l) => l.qty))
        .reduce((a, b) => a + b, 0);
      if (s.reserved !== heldByLive)
        problems.push(`${productId}: reserved ${s.reserved} ≠ held by live fulfilments ${heldByLive}`);
      const head = s.waiting[0];
      if (head && s.available >= head.qty) problems.push(`${productId}: queue head fits but waits`);
      if (s.toNotify.length > 0) problems.push(`${productId}: undelivered allocations`);
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
