import { FULFILMENT_STAGE, type Fulfilment, type FulfilmentStage, TERMINAL_FULFILMENT_STAGES } from './types';

/** Stages in which stock is held or queued for the order, and it may still be cancelled or expire. */
export const OPEN_STAGES: readonly FulfilmentStage[] = [
  FULFILMENT_STAGE.Placed,
  FULFILMENT_STAGE.Reserved,
  FULFILMENT_STAGE.Backordered,
];

export function isTerminal(stage: FulfilmentStage): boolean {
  return TERMINAL_FULFILMENT_STAGES.includes(stage);
}

export function isFullyAllocated(fulfilment: Fulfilment): boolean {
  return fulfilment.lines.every((line) => line.held);
}

/** Paid, every line held and waiting for a unit of picking capacity. */
export function isReadyToPick(fulfilment: Fulfilment): boolean {
  return fulfilment.stage === FULFILMENT_STAGE.Reserved && fulfilment.paid && isFullyAllocated(fulfilment);
}

/** Default deadline for payment: placedAt + the hold period. */
export function payByFor(placedAt: Date, holdMinutes: number): Date {
  return new Date(placedAt.getTime() + Math.round(holdMinutes * 60_000));
}
