import type { Clock, Logger } from '@az-shop/common';
import type { Db } from 'mongodb';
import type { FactoryConfig } from './config';

/** What the factory's handlers and scheduler need, given by main.ts (or a test). */
export interface FactoryDeps {
  db: Db;
  logger: Logger;
  config: FactoryConfig;
  clock: Clock;
}
