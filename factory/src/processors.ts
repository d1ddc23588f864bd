import {
  createLoop,
  createProcessor,
  createServiceReactions,
  FULFILMENT_STAGE,
  FULFILMENTS,
  PRODUCTION_REQUESTS,
  processorDefaults,
  type ReactionOptions,
  type ServiceReactions,
} from '@az-shop/common';
import type { FactoryDeps } from './deps';
import { ensureFactoryIndexes } from './indexes';
import { workItemHandlers } from './work-item/handlers';
import { buildScheduler } from './work-item/scheduler';

/**
 * Everything the factory reacts to, in one list:
 * - production_requests → onProductionRequested: a work item, queued for capacity
 * - fulfilments in Backordered → onFulfilmentBackordered: a work item per short line
 * - timer: the build scheduler (capacity-limited builds, completion, one factory_output per item)
 */
export function registerFactoryProcessors(
  deps: FactoryDeps,
  options: ReactionOptions = {},
): ServiceReactions {
  const handlers = workItemHandlers(deps);
  const scheduler = buildScheduler(deps, handlers.store);
  const common = processorDefaults(deps, options);
  const processors = [
    createProcessor({
      ...common,
      name: 'factory.onProductionRequested',
      collection: PRODUCTION_REQUESTS,
      handle: handlers.onProductionRequested,
    }),
    createProcessor({
      ...common,
      name: 'factory.onFulfilmentBackordered',
      collection: FULFILMENTS,
      pipeline: [{ $match: { 'fullDocument.stage': FULFILMENT_STAGE.Backordered } }],
      handle: handlers.onFulfilmentBackordered,
    }),
  ];
  const loops = [createLoop(scheduler.name, deps.config.FACTORY_TICK_MS, scheduler.tick, deps.logger)];
  return createServiceReactions({ processors, loops, prepare: () => ensureFactoryIndexes(deps.db) });
}
