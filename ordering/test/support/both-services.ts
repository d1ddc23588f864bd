import type { Clock, ProcessorMode, ServiceReactions } from '@az-shop/common';
import { silentLogger } from '@az-shop/common/testing';
import type { Db } from 'mongodb';
import type { FactoryConfig } from '../../../factory/src/config';
import { registerFactoryProcessors } from '../../../factory/src/processors';
import { registerOrderingProcessors } from '../../src/processors';
import { testOrderingConfig } from './fixtures';

/** Factory and ordering on one database, every processor and timer running (no leases), started, in `mode`. */
export async function startBothServices(
  db: Db,
  clock: Clock,
  factoryConfig: FactoryConfig,
  mode: ProcessorMode = 'mongo',
): Promise<ServiceReactions[]> {
  const deps = { db, logger: silentLogger, clock };
  const services = [
    registerFactoryProcessors({ ...deps, config: factoryConfig }, { leases: false, mode }),
    registerOrderingProcessors({ ...deps, config: testOrderingConfig }, { leases: false, mode }),
  ];
  for (const service of services) await service.start();
  return services;
}
