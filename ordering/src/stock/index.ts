export {
  acknowledge,
  aggregateLines,
  allocateWaiting,
  applyOutput,
  emptyStock,
  holdOf,
  isWaiting,
  type Line,
  release,
  reserve,
  ship,
  stockProblems,
} from './allocation';
export * from './types';
