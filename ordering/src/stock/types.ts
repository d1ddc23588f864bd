import type { StockDocument } from '@az-shop/common/schemas';

/** The stock ledger of one product in one warehouse, as stored without the storage fields. */
export type Stock = Omit<StockDocument, 'partition_key' | 'version'>;

export const HOLD_OUTCOME = { Held: 'held', Waiting: 'waiting' } as const;
export type HoldOutcome = (typeof HOLD_OUTCOME)[keyof typeof HOLD_OUTCOME];

/** What a change did to the ledger, so the I/O layer knows whom to tell. */
export interface StockChange {
  stock: Stock;
  /** False when the change had already been made (re-delivery): nothing to write. */
  changed: boolean;
  /** Fulfilments given units from the backorder queue by this change. */
  allocated: string[];
}
