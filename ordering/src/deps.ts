import type { Clock, Logger } from '@az-shop/common';
import type { Db } from 'mongodb';
import type { OrderingConfig } from './config';

/** What ordering's handlers and timers need, given by main.ts (or a test). */
export interface OrderingDeps {
  db: Db;
  logger: Logger;
  config: OrderingConfig;
  clock: Clock;
}
