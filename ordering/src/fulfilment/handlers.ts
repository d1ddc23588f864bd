import type { ProcessorEvent } from '@az-shop/common';
import {
  FACTORY_OUTPUT,
  type FactoryOutputDocument,
  FactoryOutputDocument as FactoryOutputSchema,
  FULFILMENT_STAGE,
  MONEY_TAKEN_STATUSES,
  ORDERS,
  type OrderCancellationDocument,
  OrderCancellationDocument as OrderCancellationSchema,
  type OrderDocument,
  OrderDocument as OrderSchema,
  type PaymentDocument,
  PaymentDocument as PaymentSchema,
  PRODUCTS,
  type ProductDocument,
  validateDocument,
} from '@az-shop/common';
import type { Document } from 'mongodb';
import type { OrderingDeps } from '../deps';
import {
  aggregateLines,
  applyOutput,
  HOLD_OUTCOME,
  isInFlight,
  OUTPUT_ACTION,
  type OutputReceived,
  type OutputSeen,
  outputPlan,
  release,
  reserve,
} from '../stock/index';
import { receiptStore } from '../stock/receipt-store';
import { stockStore } from '../stock/store';
import { decide } from './decide';
import { evolveAll } from './evolve';
import { isTerminal } from './rules';
import { stockSync } from './stock-sync';
import { fulfilmentStore } from './store';
import {
  type CatalogPrice,
  type Fulfilment,
  type FulfilmentCommand,
  isRejection,
  type PlacedOrder,
} from './types';

/** How long a catalog price read for an order is trusted before it is read again. */
const CATALOG_CACHE_MS = 60_000;

/**
 * Ordering's reactions to other services' writes (registered in ../processors.ts). Each is safe to
 * repeat: deterministic ids (a fulfilment's `_id` is its order's), conditional writes on `version`,
 * and receipts for factory outputs (`stock_receipts`, with the ids in flight on the stock ledger).
 */
export function fulfilmentHandlers(deps: OrderingDeps) {
  const { db, logger, config, clock } = deps;
  const now = () => clock.now();
  const fulfilments = fulfilmentStore(db);
  const stock = stockStore(db, now);
  const receipts = receiptStore(db, now);
  const sync = stockSync(fulfilments, stock, now, logger);

  /**
   * Creates the fulfilment once and holds every line it can (rule in docs/domain.md). Optimistic:
   * stock is held before the fulfilment is written (one write per line, then one insert), so a new
   * order costs no read of its fulfilment. When the insert finds the fulfilment already there (a
   * re-delivered order), holds this call made for a fulfilment past Placed are given back.
   */
  async function placeOrder(raw: Document): Promise<Fulfilment | null> {
    const { order, problem, catalog } = await readOrder(raw);
    const placeDecision = decide(
      { type: 'PlaceOrder', order, holdMinutes: config.HOLD_MINUTES, problem, catalog },
      null,
      now(),
    );
    const placed = isRejection(placeDecision) ? null : evolveAll(null, placeDecision);
    if (!placed) return fulfilments.load(order.orderId);
    if (placed.stage === FULFILMENT_STAGE.Failed) {
      if (await fulfilments.create(placed)) {
        logger.warn({ orderId: order.orderId, reason: placed.failure?.reason }, 'order failed');
        return placed;
      }
      return fulfilments.load(order.orderId);
    }
    const held: string[] = [];
    const madeHere: string[] = [];
    // Lines this call held off the shelf itself: the only ones whose units never pass the outbox.
    const heldHere: string[] = [];
    for (const line of placed.lines) {
      if (await stock.tryHold(placed.warehouse, line.productId, placed._id, line.qty)) {
        held.push(line.productId);
        madeHere.push(line.productId);
        heldHere.push(line.productId);
        continue;
      }
      const outcome = await stock.change(placed.warehouse, line.productId, (current) =>
        reserve(current, { fulfilmentId: placed._id, qty: line.qty, at: placed.placedAt }),
      );
      if (outcome.outcome === HOLD_OUTCOME.Held) held.push(line.productId);
      if (outcome.changed) madeHere.push(line.productId);
      if (outcome.outcome === HOLD_OUTCOME.Held && outcome.changed) heldHere.push(line.productId);
    }
    const allocation = decide({ type: 'RecordAllocation', heldProductIds: held }, placed, now());
    const allocated = isRejection(allocation) ? null : evolveAll(placed, allocation);
    let result: Fulfilment | null = allocated;
    if (!allocated || !(await fulfilments.create(allocated))) {
      const existing = await fulfilments.load(placed._id);
      if (existing && holdsNothing(existing)) {
        // Compensation: the order was handled before and holds nothing now (shipped or ended); undo
        // what this repeat added to the ledgers. An open fulfilment keeps its holds: they are its own
        // (a concurrent placement by the payment or cancellation handler may have written it first).
        for (const productId of madeHere) {
          await stock.change(placed.warehouse, productId, (current) => release(current, placed._id));
          await sync.deliverAllocations(placed.warehouse, productId);
        }
        return existing;
      }
      result =
        existing && existing.stage !== FULFILMENT_STAGE.Placed
          ? existing
          : (await fulfilments.execute(placed._id, { type: 'RecordAllocation', heldProductIds: held }, now))
              .state;
    }
    // The queue may have given units before the fulfilment was written, or before this repeat of a
    // call that wrote it and died (or was throttled) before telling it: tell it now, and empty the
    // outbox. Without this, a repeat left the fulfilment Backordered on units held for it.
    for (const line of placed.lines) {
      if (!heldHere.includes(line.productId)) await sync.deliverAllocations(placed.warehouse, line.productId);
    }
    return result;
  }

  /**
   * The event's document when it has the shape of its schema. A bad one is logged and skipped: it is
   * another service's mistake, and it must not block its partition.
   */
  function incoming<T>(
    event: ProcessorEvent,
    schema: Parameters<typeof validateDocument>[0],
    what: string,
  ): T | null {
    const raw = event.fullDocument;
    if (!raw) return null;
    const valid = validateDocument<T>(schema, raw);
    if (valid.ok) return valid.value;
    logger.warn({ documentId: String(raw._id), reason: valid.reason }, `${what} ignored: bad document`);
    return null;
  }

  function holdsNothing(fulfilment: Fulfilment): boolean {
    return isTerminal(fulfilment.stage) || fulfilment.stage === FULFILMENT_STAGE.Shipped;
  }

  async function readOrder(raw: Document): Promise<{
    order: PlacedOrder;
    problem: string | undefined;
    catalog: Record<string, CatalogPrice>;
  }> {
    const lines = Array.isArray(raw.lines)
      ? raw.lines.map((line: Document) => ({
          productId: String(line?.productId ?? ''),
          qty: Number(line?.qty),
          unitPrice: Number(line?.unitPrice),
        }))
      : [];
    const placedAt = raw.placedAt instanceof Date ? raw.placedAt : now();
    const order: PlacedOrder = {
      orderId: String(raw._id),
      userId: String(raw.userId ?? raw.partition_key ?? 'unknown'),
      partitionKey: String(raw.partition_key ?? ''),
      warehouse: typeof raw.warehouse === 'string' && raw.warehouse ? raw.warehouse : config.WAREHOUSE,
      lines,
      total: Number(raw.total) || 0,
      currency: String(raw.currency ?? ''),
      placedAt,
    };
    if (raw.payBy instanceof Date) order.payBy = raw.payBy;
    const valid = validateDocument<OrderDocument>(OrderSchema, raw);
    if (!valid.ok) return { order, problem: valid.reason, catalog: {} };
    const catalog = await catalogOf(order);
    const unknown = aggregateLines(lines)
      .map((line) => line.productId)
      .filter((id) => catalog[id] === undefined);
    const problem = unknown.length > 0 ? `unknown product ${unknown.join(', ')}` : undefined;
    return { order, problem, catalog };
  }

  /**
   * Catalog prices of the order's products, from a cache (products are never deleted). Read again
   * when the order differs from the cache, so a price changed since is seen before an order is refused
   * for it, and when older than CATALOG_CACHE_MS, so an old price is not accepted for long.
   */
  const prices = new Map<string, { price: CatalogPrice; readAt: number }>();

  async function catalogOf(order: PlacedOrder): Promise<Record<string, CatalogPrice>> {
    const stale = (line: PlacedOrder['lines'][number]) => {
      const cached = prices.get(line.productId);
      if (!cached || now().getTime() - cached.readAt > CATALOG_CACHE_MS) return true;
      return cached.price.amount !== line.unitPrice || cached.price.currency !== order.currency;
    };
    const toRead = [...new Set(order.lines.filter(stale).map((line) => line.productId))];
    if (toRead.length > 0) {
      const readAt = now().getTime();
      const found = await db
        .collection<ProductDocument>(PRODUCTS)
        .find({ _id: { $in: toRead } }, { projection: { _id: 1, price: 1, updatedAt: 1 } })
        .toArray();
      for (const { _id, price, updatedAt } of found) {
        prices.set(_id, { price: { amount: price?.amount, currency: price?.currency, updatedAt }, readAt });
      }
    }
    return Object.fromEntries(
      order.lines.flatMap((line) => {
        const cached = prices.get(line.productId);
        return cached ? [[line.productId, cached.price]] : [];
      }),
    );
  }

  /** The fulfilment of an order, placing the order first when its own event has not come yet. */
  async function fulfilmentOf(orderId: string): Promise<Fulfilment | null> {
    const existing = await fulfilments.load(orderId);
    if (existing && existing.stage !== FULFILMENT_STAGE.Placed) return existing;
    const order = await db.collection(ORDERS).findOne({ _id: orderId } as Document);
    return order ? placeOrder(order) : existing;
  }

  return {
    sync,
    fulfilments,
    stock,

    async onOrderPlaced(event: ProcessorEvent): Promise<void> {
      if (!event.fullDocument) return;
      await placeOrder(event.fullDocument);
    },

    /**
     * Authorized for the order's amount → paid; otherwise the payment is recorded as a refund due,
     * never lost. A payment is inserted pending and becomes authorized by an update (the provider's
     * webhook), so inserts and updates alike are read from the document's current status; a repeat
     * changes nothing (decide knows the payment).
     */
    async onPaymentAuthorized(event: ProcessorEvent): Promise<void> {
      const payment = incoming<PaymentDocument>(event, PaymentSchema, 'payment');
      if (!payment) return;
      if (!MONEY_TAKEN_STATUSES.includes(payment.status)) return;
      const fulfilment = await fulfilmentOf(payment.orderId);
      if (!fulfilment) {
        await recordUnknownOrderPayment(payment);
        return;
      }
      const result = await fulfilments.execute(payment.orderId, authorize(payment), now);
      if (result.events.some((e) => e.type === 'RefundDue')) {
        logger.warn({ orderId: payment.orderId, paymentId: payment._id }, 'payment recorded as a refund due');
      }
    },

    /** Cancels and releases before Shipped; otherwise records the refusal. */
    async onCancellationRequested(event: ProcessorEvent): Promise<void> {
      const cancellation = incoming<OrderCancellationDocument>(
        event,
        OrderCancellationSchema,
        'cancellation',
      );
      if (!cancellation) return;
      const fulfilment = await fulfilmentOf(cancellation.orderId);
      if (!fulfilment) {
        logger.warn({ orderId: cancellation.orderId }, 'cancellation of an unknown order ignored');
        return;
      }
      const result = await fulfilments.execute(
        fulfilment._id,
        {
          type: 'RequestCancellation',
          cancellationId: cancellation._id,
          userId: cancellation.userId,
          partitionKey: cancellation.partition_key,
        },
        now,
      );
      if (result.state) await sync.settle(result.state);
    },

    /** stock.onHand += qty exactly once per output (`receiveOutput`), then the backorder queue is served in order. */
    async onFactoryOutput(event: ProcessorEvent): Promise<void> {
      const output = incoming<FactoryOutputDocument>(event, FactoryOutputSchema, 'factory output');
      if (!output) return;
      await receiveOutput(received(output));
      await sync.deliverAllocations(output.warehouse, output.productId);
    },
  };

  function authorize(payment: PaymentDocument): FulfilmentCommand {
    const { _id: paymentId, amount, currency, status, userId, partition_key: partitionKey } = payment;
    return { type: 'AuthorizePayment', paymentId, amount, currency, status, userId, partitionKey };
  }

  function received(output: FactoryOutputDocument): OutputReceived {
    return {
      outputId: output._id,
      productId: output.productId,
      warehouse: output.warehouse,
      qty: output.qty,
    };
  }

  /**
   * Counts an output in its ledger exactly once while the ledger keeps only the outputs in flight
   * (../stock/receipts.ts, docs/domain.md "The stock ledger"): look at the ledger, then at the receipt
   * (inserted pending, or the one there); apply (the write lands only if the ledger is unchanged since
   * that look); mark the receipt applied; take the id off the ledger. Every step is one single-document
   * write that is safe to repeat, and a repeat after a crash between any two picks up the rest.
   */
  async function receiveOutput(output: OutputReceived): Promise<void> {
    const { warehouse, productId, outputId } = output;
    const retire = config.STOCK_RETIRE_OUTPUTS;
    const { plan, leftovers } = await stock.changeAfter(warehouse, productId, async (ledger) => {
      const leftovers = ledger.appliedOutputs.filter((id) => id !== outputId);
      const seen: OutputSeen = isInFlight(ledger, outputId)
        ? { inFlight: true }
        : { inFlight: false, receipt: await receipts.open(output) };
      const plan = outputPlan(seen, { retire });
      if (plan[0] !== OUTPUT_ACTION.Apply)
        return { stock: ledger, changed: false, allocated: [], plan, leftovers };
      return { ...applyOutput(ledger, output), plan: plan.slice(1), leftovers };
    });
    for (const action of plan) {
      if (action === OUTPUT_ACTION.MarkApplied) await receipts.markApplied([output]);
      if (action === OUTPUT_ACTION.Retire) await stock.retireOutputs(warehouse, productId, [outputId]);
    }
    if (retire && leftovers.length > 0) await settleLeftovers(warehouse, productId, leftovers);
  }

  /**
   * Other ids found on the ledger: normally none, since one product's outputs are handled one at a time.
   * They are ids from before receipts existed, or of a handler that died after applying and whose
   * output is not delivered again. Being on the ledger, each is counted in onHand, so its receipt is
   * marked applied (created from its output when missing) and it is taken off, as its own handler
   * would. An id whose output is gone stays (its receipt could not be written): logged.
   */
  async function settleLeftovers(warehouse: string, productId: string, ids: string[]): Promise<void> {
    const outputs = (
      await db
        .collection<FactoryOutputDocument>(FACTORY_OUTPUT)
        .find({ _id: { $in: ids }, partition_key: productId })
        .toArray()
    )
      .filter((output) => output.productId === productId && output.warehouse === warehouse)
      .map(received);
    await receipts.markApplied(outputs);
    await stock.retireOutputs(
      warehouse,
      productId,
      outputs.map((output) => output.outputId),
    );
    if (outputs.length < ids.length) {
      const found = new Set(outputs.map((output) => output.outputId));
      logger.warn(
        { warehouse, productId, outputIds: ids.filter((id) => !found.has(id)) },
        'output ids on the stock ledger without their factory output: left in place',
      );
    }
  }

  async function recordUnknownOrderPayment(payment: PaymentDocument): Promise<void> {
    const at = now();
    const reason = 'payment for an unknown order';
    const record: Fulfilment = {
      _id: payment.orderId,
      orderId: payment.orderId,
      userId: payment.userId,
      warehouse: config.WAREHOUSE,
      stage: FULFILMENT_STAGE.Failed,
      lines: [],
      shortLines: [],
      total: 0,
      currency: payment.currency,
      placedAt: at,
      payBy: at,
      paid: false,
      failure: { reason },
      refundsDue: [
        { paymentId: payment._id, amount: payment.amount, currency: payment.currency, reason, at },
      ],
      history: [{ stage: FULFILMENT_STAGE.Failed, at, note: reason }],
    };
    if (!(await fulfilments.create(record)))
      await fulfilments.execute(payment.orderId, authorize(payment), now);
    logger.warn(
      { orderId: payment.orderId, paymentId: payment._id },
      'payment for an unknown order: refund due',
    );
  }
}

export type FulfilmentHandlers = ReturnType<typeof fulfilmentHandlers>;
