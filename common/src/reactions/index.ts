export { type Clock, systemClock } from './clock';
export { createLoop, type Loop, type LoopOptions, type LoopTick, wakingAfter } from './loop';
export { type DurableTimer, OVERDUE_SAMPLE_MS, overdueTimers, timerMetrics } from './overdue';
export {
  createServiceReactions,
  processorDefaults,
  type ReactionOptions,
  type ServiceReactions,
} from './service-reactions';
