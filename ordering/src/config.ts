import { Type } from 'typebox';

/** The ordering service's own variables; main.ts spreads them with `baseConfigProperties` into one schema. */
export const orderingConfigProperties = {
  PICKING_CAPACITY: Type.Integer({ minimum: 1, default: 5, description: 'orders picked at the same time' }),
  PICKING_SECONDS: Type.Number({
    minimum: 0,
    default: 10,
    description: 'time to pick one order, in seconds',
  }),
  DELIVERY_SECONDS: Type.Number({ minimum: 0, default: 30, description: 'time from Shipped to Delivered' }),
  HOLD_MINUTES: Type.Number({
    exclusiveMinimum: 0,
    default: 15,
    description: 'how long an unpaid order holds stock',
  }),
  WAREHOUSE: Type.String({
    minLength: 1,
    default: 'main',
    description: 'warehouse of orders that name none',
  }),
  ORDERING_TICK_MS: Type.Integer({
    minimum: 1,
    default: 250,
    description: 'the shortest pause between two passes of the durable timers (while events keep arriving)',
  }),
  ORDERING_IDLE_MS: Type.Integer({
    minimum: 1,
    default: 2000,
    description:
      'the longest the durable timers sleep when no deadline is due sooner and no event arrives (crash leftovers, other instances)',
  }),
  STOCK_RETIRE_OUTPUTS: Type.Boolean({
    default: true,
    description:
      'take factory outputs off the stock ledger once their receipt is applied; false only while a release without stock_receipts runs beside this one (docs/domain.md)',
  }),
};

export interface OrderingConfig {
  PICKING_CAPACITY: number;
  PICKING_SECONDS: number;
  DELIVERY_SECONDS: number;
  HOLD_MINUTES: number;
  WAREHOUSE: string;
  ORDERING_TICK_MS: number;
  ORDERING_IDLE_MS: number;
  STOCK_RETIRE_OUTPUTS: boolean;
}
