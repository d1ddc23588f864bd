import {
  FULFILMENT_STAGE,
  type Fulfilment,
  type FulfilmentEvent,
  type FulfilmentStage,
  type FulfilmentState,
} from './types';

/** Applies one event to the state. Pure; the only place a fulfilment's fields change. */
export function evolve(state: FulfilmentState, event: FulfilmentEvent): FulfilmentState {
  if (event.type === 'FulfilmentPlaced') {
    const { type: _type, at, ...fields } = event;
    return {
      _id: event.orderId,
      ...fields,
      stage: FULFILMENT_STAGE.Placed,
      shortLines: [],
      paid: false,
      refundsDue: [],
      history: [{ stage: FULFILMENT_STAGE.Placed, at }],
    };
  }
  if (!state) return state;
  switch (event.type) {
    case 'FulfilmentFailed':
      return {
        ...moveTo(state, FULFILMENT_STAGE.Failed, event.at, event.reason),
        failure: { reason: event.reason },
      };
    case 'LineHeld':
      return {
        ...state,
        lines: state.lines.map((line) =>
          line.productId === event.productId ? { ...line, held: true } : line,
        ),
        shortLines: state.shortLines.filter((line) => line.productId !== event.productId),
      };
    case 'FulfilmentReserved':
      return { ...moveTo(state, FULFILMENT_STAGE.Reserved, event.at), shortLines: [] };
    case 'FulfilmentBackordered':
      return { ...moveTo(state, FULFILMENT_STAGE.Backordered, event.at), shortLines: event.shortLines };
    case 'PaymentAccepted':
      return { ...note(state, event.at, 'paid'), paid: true, paidAt: event.at, paymentId: event.paymentId };
    case 'RefundDue':
      return {
        ...note(state, event.refund.at, `refund due: ${event.refund.reason}`),
        refundsDue: [...state.refundsDue, event.refund],
      };
    case 'FulfilmentCancelled':
      return { ...moveTo(state, FULFILMENT_STAGE.Cancelled, event.at), stockPending: 'release' };
    case 'CancellationRefused':
      return {
        ...note(state, event.at, `cancellation refused: ${event.reason}`),
        cancellationRefused: { cancellationId: event.cancellationId, at: event.at, reason: event.reason },
      };
    case 'ForeignCancellationRefused': {
      const refused = { cancellationId: event.cancellationId, userId: event.userId, at: event.at };
      return {
        ...note(state, event.at, `cancellation ${event.cancellationId} refused: requested by another user`),
        foreignCancellationsRefused: [...(state.foreignCancellationsRefused ?? []), refused],
      };
    }
    case 'FulfilmentExpired':
      return { ...moveTo(state, FULFILMENT_STAGE.Expired, event.at), stockPending: 'release' };
    case 'PickingStarted':
      return {
        ...moveTo(state, FULFILMENT_STAGE.Picking, event.at),
        pickingStartedAt: event.at,
        pickingEndsAt: event.endsAt,
      };
    case 'FulfilmentShipped':
      return {
        ...moveTo(state, FULFILMENT_STAGE.Shipped, event.at),
        shippedAt: event.at,
        deliverAt: event.deliverAt,
        stockPending: 'ship',
      };
    case 'FulfilmentDelivered':
      return { ...moveTo(state, FULFILMENT_STAGE.Delivered, event.at), deliveredAt: event.at };
    case 'StockSettled': {
      const { stockPending: _settled, ...rest } = state;
      return rest;
    }
  }
}

export function evolveAll(state: FulfilmentState, events: readonly FulfilmentEvent[]): FulfilmentState {
  return events.reduce(evolve, state);
}

function moveTo(state: Fulfilment, stage: FulfilmentStage, at: Date, reason?: string): Fulfilment {
  const entry = reason === undefined ? { stage, at } : { stage, at, note: reason };
  return { ...state, stage, history: [...state.history, entry] };
}

/** A history entry that records something that happened without changing the stage. */
function note(state: Fulfilment, at: Date, text: string): Fulfilment {
  return { ...state, history: [...state.history, { stage: state.stage, at, note: text }] };
}
