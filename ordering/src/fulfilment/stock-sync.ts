import type { Logger } from '@az-shop/common';
import { acknowledge, release, ship } from '../stock/allocation';
import type { StockStore } from '../stock/store';
import type { FulfilmentStore } from './store';
import { type Fulfilment, REJECTION } from './types';

/**
 * Keeps fulfilments in step with the stock ledgers. Each step is a conditional single-document
 * write and safe to repeat, so a crash between two steps is finished by the next caller.
 */
export function stockSync(fulfilments: FulfilmentStore, stock: StockStore, now: () => Date, logger: Logger) {
  /**
   * Tells the fulfilments that the product's queue gave them units (the ledger's `toNotify` outbox),
   * then forgets the told ones. A fulfilment that is no longer open gives its units back instead.
   */
  async function deliverAllocations(warehouse: string, productId: string): Promise<void> {
    const ledger = await stock.read(warehouse, productId);
    if (ledger.toNotify.length === 0) return;
    const told: string[] = [];
    for (const fulfilmentId of ledger.toNotify) {
      const result = await fulfilments.execute(fulfilmentId, { type: 'AllocateLine', productId }, now);
      if (result.rejection?.kind === REJECTION.NotFound && !result.state) continue; // not written yet: its creator flushes
      if (result.rejection?.kind === REJECTION.IllegalState) {
        await stock.change(warehouse, productId, (current) => release(current, fulfilmentId));
      } else if (result.rejection) {
        logger.warn({ fulfilmentId, productId, reason: result.rejection.reason }, 'allocation not applied');
      }
      told.push(fulfilmentId);
    }
    if (told.length > 0) await stock.change(warehouse, productId, (current) => acknowledge(current, told));
    // Releasing above may have served the queue again.
    const after = await stock.read(warehouse, productId);
    if (after.toNotify.some((id) => !told.includes(id))) await deliverAllocations(warehouse, productId);
  }

  /** Does the stock work a transition left (`stockPending`): give holds back, or ship them; then clears it. */
  async function settle(fulfilment: Fulfilment): Promise<void> {
    const action = fulfilment.stockPending;
    if (!action) return;
    for (const line of fulfilment.lines) {
      if (action === 'ship') {
        await stock.change(fulfilment.warehouse, line.productId, (current) => ship(current, fulfilment._id));
      } else {
        await stock.change(fulfilment.warehouse, line.productId, (current) =>
          release(current, fulfilment._id),
        );
        await deliverAllocations(fulfilment.warehouse, line.productId);
      }
    }
    await fulfilments.execute(fulfilment._id, { type: 'SettleStock' }, now);
  }

  return { deliverAllocations, settle };
}

export type StockSync = ReturnType<typeof stockSync>;
