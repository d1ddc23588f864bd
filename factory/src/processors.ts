import {
  createLoop,
  createProcessor,
  createServiceReactions,
  FULFILMENT_STAGE,
  FULFILMENTS,
  OVERDUE_SAMPLE_MS,
  PRODUCTION_REQUESTS,
  processorDefaults,
  type ReactionOptions,
  type ServiceReactions,
  wakingAfter,
} from '@az-shop/common';
import type { FactoryDeps } from './deps';
import { ensureFactoryIndexes } from './indexes';
import { NO_LONGER_WAITING } from './work-item/backorder-demand';
import { workItemHandlers } from './work-item/handlers';
import { buildScheduler } from './work-item/scheduler';

/**
 * Everything the factory reacts to, in one list:
 * - production_requests → onProductionRequested: a work item, queued for capacity; an update with
 *   `cancelRequestedAt` (no pipeline: updates are seen too) → its item cancelled if not started
 * - fulfilments → onFulfilmentChanged: Backordered → a work item per short line; ended or shipped →
 *   its backorder items not started are cancelled or kept for other demand (docs/domain.md)
 * - timer: the build scheduler (capacity-limited builds, completion, one factory_output per item);
 *   it sleeps until the earliest build ends (FACTORY_IDLE_MS at most) and is woken by every handled event
 */
export function registerFactoryProcessors(
  deps: FactoryDeps,
  options: ReactionOptions = {},
): ServiceReactions {
  const handlers = workItemHandlers(deps);
  const scheduler = buildScheduler(deps, handlers.store);
  const common = processorDefaults(deps, options);
  const schedulerLoop = createLoop(scheduler.name, deps.config.FACTORY_TICK_MS, scheduler.tick, deps.logger, {
    idleMs: deps.config.FACTORY_IDLE_MS,
  });
  const processors = [
    createProcessor({
      ...common,
      name: 'factory.onProductionRequested',
      collection: PRODUCTION_REQUESTS,
      handle: wakingAfter(schedulerLoop, handlers.onProductionRequested),
    }),
    createProcessor({
      ...common,
      // Not the former 'factory.onFulfilmentBackordered': a colour still running that one would take
      // buckets of this one and drop the stages it does not match.
      name: 'factory.onFulfilmentChanged',
      collection: FULFILMENTS,
      // Only fulfilments that were ever backordered: the others have no work items.
      pipeline: [
        {
          $match: {
            'fullDocument.stage': { $in: [FULFILMENT_STAGE.Backordered, ...NO_LONGER_WAITING] },
            'fullDocument.history.stage': FULFILMENT_STAGE.Backordered,
          },
        },
      ],
      handle: wakingAfter(schedulerLoop, handlers.onFulfilmentChanged),
    }),
  ];
  const loops = [
    schedulerLoop,
    createLoop(scheduler.overdue.name, OVERDUE_SAMPLE_MS, scheduler.overdue.sample, deps.logger),
  ];
  return createServiceReactions({ processors, loops, prepare: () => ensureFactoryIndexes(deps.db) });
}
