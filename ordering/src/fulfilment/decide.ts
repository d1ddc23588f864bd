import { aggregateLines } from '../stock/allocation';
import { isFullyAllocated, isTerminal, OPEN_STAGES, payByFor } from './rules';
import {
  type CatalogPrice,
  type Decision,
  FULFILMENT_STAGE,
  type Fulfilment,
  type FulfilmentCommand,
  type FulfilmentEvent,
  type FulfilmentState,
  type PlacedOrder,
  REJECTION,
  reject,
} from './types';

type Command<T extends FulfilmentCommand['type']> = Extract<FulfilmentCommand, { type: T }>;

/** Business rules of a fulfilment: what happens when `command` meets `state` at `now`. Pure. */
export function decide(
  command: FulfilmentCommand,
  state: FulfilmentState,
  now: Date,
): Decision<FulfilmentEvent> {
  if (command.type === 'PlaceOrder') return placeOrder(command, state, now);
  if (!state) return reject(REJECTION.NotFound, 'no fulfilment for this order');
  switch (command.type) {
    case 'RecordAllocation':
      return recordAllocation(command, state, now);
    case 'AllocateLine':
      return allocateLine(command, state, now);
    case 'AuthorizePayment':
      return authorizePayment(command, state, now);
    case 'RequestCancellation':
      return requestCancellation(command, state, now);
    case 'Expire':
      if (!OPEN_STAGES.includes(state.stage)) return illegal('expire', state);
      if (state.paid) return reject(REJECTION.IllegalState, 'paid orders never expire');
      if (now < state.payBy)
        return reject(REJECTION.NotYet, `payment is due by ${state.payBy.toISOString()}`);
      return [{ type: 'FulfilmentExpired', at: now }];
    case 'StartPicking': {
      if (state.stage !== FULFILMENT_STAGE.Reserved || !state.paid || !isFullyAllocated(state)) {
        return illegal('start picking', state);
      }
      if (!command.capacityClaimed) return reject(REJECTION.NoCapacity, 'no picking capacity is free');
      return [{ type: 'PickingStarted', at: now, endsAt: after(now, command.pickingSeconds) }];
    }
    case 'Ship':
      if (state.stage !== FULFILMENT_STAGE.Picking) return illegal('ship', state);
      if (state.pickingEndsAt && now < state.pickingEndsAt) return reject(REJECTION.NotYet, 'still picking');
      return [{ type: 'FulfilmentShipped', at: now, deliverAt: after(now, command.deliverySeconds) }];
    case 'Deliver':
      if (state.stage !== FULFILMENT_STAGE.Shipped) return illegal('deliver', state);
      if (state.deliverAt && now < state.deliverAt) return reject(REJECTION.NotYet, 'still on its way');
      return [{ type: 'FulfilmentDelivered', at: now }];
    case 'SettleStock':
      return state.stockPending ? [{ type: 'StockSettled', at: now }] : [];
  }
}

function placeOrder(
  command: Command<'PlaceOrder'>,
  state: FulfilmentState,
  now: Date,
): Decision<FulfilmentEvent> {
  // Created once: a re-delivered order changes nothing.
  if (state) return [];
  const { order } = command;
  const lines = aggregateLines(order.lines).map((line) => ({ ...line, held: false }));
  const placed: FulfilmentEvent = {
    type: 'FulfilmentPlaced',
    orderId: order.orderId,
    userId: order.userId,
    warehouse: order.warehouse,
    lines,
    total: order.total,
    currency: order.currency,
    placedAt: order.placedAt,
    payBy: order.payBy ?? payByFor(order.placedAt, command.holdMinutes),
    at: now,
  };
  const problem =
    command.problem ??
    linesProblem(order.lines) ??
    ownerProblem(order) ??
    totalProblem(order) ??
    catalogProblem(order, command.catalog, now, command.holdMinutes);
  if (problem) return [placed, { type: 'FulfilmentFailed', reason: problem, at: now }];
  return [placed];
}

/** The order is filed under its user: `partition_key` is what the user's reads and writes go by. */
function ownerProblem(order: PlacedOrder): string | undefined {
  if (order.partitionKey === order.userId) return undefined;
  return `the order's partition_key ${order.partitionKey} is not its user ${order.userId}`;
}

/** What web charges is the total: it must be Σ qty × unit price of the lines it was computed from. */
function totalProblem(order: PlacedOrder): string | undefined {
  const sum = order.lines.reduce((total, line) => total + line.qty * line.unitPrice, 0);
  if (Number.isSafeInteger(sum) && sum === order.total) return undefined;
  return `the total ${order.total} is not the sum of its lines (${sum})`;
}

/**
 * Web prices each line from the catalog at checkout: the catalog must price every product in the
 * order's currency and at its unit price. A price or currency that differs is accepted only when the
 * product changed after the order was placed, within the hold period (re-priced between checkout and now).
 */
function catalogProblem(
  order: PlacedOrder,
  catalog: Readonly<Record<string, CatalogPrice>>,
  now: Date,
  holdMinutes: number,
): string | undefined {
  for (const line of order.lines) {
    const price = catalog[line.productId];
    if (!price) return `no catalog price for ${line.productId}`;
    if (repricedSince(order.placedAt, price, now, holdMinutes)) continue;
    if (price.currency !== order.currency)
      return `the order is in ${order.currency}, ${line.productId} is priced in ${price.currency}`;
    if (line.unitPrice !== price.amount)
      return `the unit price ${line.unitPrice} of ${line.productId} is not the catalog's ${price.amount}`;
  }
  return undefined;
}

function repricedSince(placedAt: Date, price: CatalogPrice, now: Date, holdMinutes: number): boolean {
  const recent = placedAt.getTime() >= now.getTime() - holdMinutes * 60_000;
  return recent && price.updatedAt !== undefined && price.updatedAt > placedAt;
}

function linesProblem(lines: readonly { productId: string; qty: number }[]): string | undefined {
  if (lines.length === 0) return 'the order has no lines';
  const bad = lines.find((line) => !Number.isInteger(line.qty) || line.qty < 1);
  return bad ? `quantity ${bad.qty} of ${bad.productId} is not a positive whole number` : undefined;
}

function recordAllocation(command: Command<'RecordAllocation'>, state: Fulfilment, now: Date) {
  if (state.stage !== FULFILMENT_STAGE.Placed) return illegal('record the allocation', state);
  const events: FulfilmentEvent[] = state.lines
    .filter((line) => !line.held && command.heldProductIds.includes(line.productId))
    .map((line) => ({ type: 'LineHeld', productId: line.productId, at: now }));
  const short = state.lines.filter((line) => !line.held && !command.heldProductIds.includes(line.productId));
  if (short.length === 0) return [...events, { type: 'FulfilmentReserved', at: now } as const];
  const shortLines = short.map(({ productId, qty }) => ({ productId, qty }));
  return [...events, { type: 'FulfilmentBackordered', shortLines, at: now } as const];
}

function allocateLine(
  command: Command<'AllocateLine'>,
  state: Fulfilment,
  now: Date,
): Decision<FulfilmentEvent> {
  const line = state.lines.find((candidate) => candidate.productId === command.productId);
  if (!line) return reject(REJECTION.NotFound, `the order has no line for ${command.productId}`);
  if (line.held) return [];
  if (!OPEN_STAGES.includes(state.stage)) return illegal('hold stock', state);
  const held: FulfilmentEvent = { type: 'LineHeld', productId: command.productId, at: now };
  const lastShort = state.lines.every((other) => other.held || other.productId === command.productId);
  if (state.stage === FULFILMENT_STAGE.Backordered && lastShort)
    return [held, { type: 'FulfilmentReserved', at: now }];
  return [held];
}

function authorizePayment(command: Command<'AuthorizePayment'>, state: Fulfilment, now: Date) {
  if (command.status !== 'authorized' && command.status !== 'duplicate') return [];
  if (state.paymentId === command.paymentId) return [];
  if (state.refundsDue.some((refund) => refund.paymentId === command.paymentId)) return [];
  const refund = (reason: string): FulfilmentEvent[] => [
    {
      type: 'RefundDue',
      refund: {
        paymentId: command.paymentId,
        amount: command.amount,
        currency: command.currency,
        reason,
        at: now,
      },
    },
  ];
  // Never applied to someone else's order, whatever it pays: given back to whoever paid.
  if (!isOwner(command, state)) return refund("paid by another user than the order's");
  // Web marks a payment `duplicate` when another one of the order was authorized first.
  if (state.paid || command.status === 'duplicate') return refund('the order was already paid');
  if (isTerminal(state.stage)) return refund(`the order is ${state.stage}`);
  if (command.amount !== state.total || command.currency !== state.currency) {
    return refund(
      `paid ${command.amount} ${command.currency}, the order is ${state.total} ${state.currency}`,
    );
  }
  return [{ type: 'PaymentAccepted', paymentId: command.paymentId, at: now } as const];
}

function requestCancellation(
  command: Command<'RequestCancellation'>,
  state: Fulfilment,
  now: Date,
): Decision<FulfilmentEvent> {
  const { cancellationId } = command;
  if (!isOwner(command, state)) {
    // Refused in every stage, and kept apart from the owner's own refusal that web shows them.
    if (state.foreignCancellationsRefused?.some((refused) => refused.cancellationId === cancellationId))
      return [];
    return [{ type: 'ForeignCancellationRefused', cancellationId, userId: command.userId, at: now }];
  }
  if (state.stage === FULFILMENT_STAGE.Cancelled) return [];
  if (state.cancellationRefused?.cancellationId === command.cancellationId) return [];
  if (state.stage === FULFILMENT_STAGE.Shipped || isTerminal(state.stage)) {
    const reason = `the order is already ${state.stage}`;
    return [
      { type: 'CancellationRefused', cancellationId: command.cancellationId, reason, at: now } as const,
    ];
  }
  const events: FulfilmentEvent[] = [
    { type: 'FulfilmentCancelled', cancellationId: command.cancellationId, at: now },
  ];
  if (state.paid && state.paymentId) {
    const refund = { paymentId: state.paymentId, amount: state.total, currency: state.currency };
    events.push({ type: 'RefundDue', refund: { ...refund, reason: 'the order was cancelled', at: now } });
  }
  return events;
}

/** A payment or cancellation comes from the order's own user: by its `userId` and its shard key. */
function isOwner(request: { userId: string; partitionKey: string }, state: Fulfilment): boolean {
  return request.userId === state.userId && request.partitionKey === state.userId;
}

function illegal(action: string, state: Fulfilment) {
  return reject(REJECTION.IllegalState, `cannot ${action} in stage ${state.stage}`);
}

function after(now: Date, seconds: number): Date {
  return new Date(now.getTime() + Math.round(seconds * 1000));
}
