export { type Clock, systemClock } from './clock';
export { createLoop, type Loop } from './loop';
export { createServiceReactions, type ServiceReactions } from './service-reactions';
