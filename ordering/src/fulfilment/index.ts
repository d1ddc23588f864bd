export { decide } from './decide';
export { evolve, evolveAll } from './evolve';
export { isFullyAllocated, isReadyToPick, isTerminal, OPEN_STAGES, payByFor } from './rules';
export * from './types';
