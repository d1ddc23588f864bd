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
export {
  appliedReceipt,
  countedOutputs,
  isInFlight,
  OUTPUT_ACTION,
  type OutputAction,
  type OutputReceived,
  type OutputSeen,
  outputPlan,
  pendingReceipt,
  receiptProblems,
  retireOutputs,
} from './receipts';
export * from './types';
