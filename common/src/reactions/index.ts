export { type Clock, systemClock } from './clock';
export { createLoop, type Loop } from './loop';
export {
  createServiceReactions,
  processorDefaults,
  type ReactionOptions,
  type ServiceReactions,
} from './service-reactions';
