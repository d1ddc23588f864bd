export { BUCKETING, bucketOf, hashedIndexKeyOfText, partitionKeyText } from './buckets';
export { CHECKPOINTS, type CheckpointDoc, checkpointId, loadCheckpoints } from './checkpoints';
export {
  type ApplyOnceOptions,
  type ApplyOnceResult,
  applyOnce,
  type ConditionalResult,
  deterministicId,
  hashId,
  updateIfStage,
  updateIfVersion,
} from './idempotency';
export { type LeasePlan, type LeasePlanInput, type LeaseView, planLeases } from './lease-plan';
export { LEASES, LeaseKeeper, type LeaseKeeperOptions } from './leases';
export { ProcessorState, processorMetrics } from './metrics';
export {
  countParked,
  listParked,
  PARKED_EVENTS,
  type ParkedEvent,
  type ParkedStatus,
  parkEvent,
  type ReplayResult,
  releaseStaleReplays,
  replayParked,
  requestReplay,
  STALE_REPLAY_MS,
  UNRESOLVED_PARKED,
} from './parking';
export { PartitionQueue, type PartitionQueueOptions } from './partition-queue';
export { enablePreImages } from './pre-images';
export { createProcessor, type Processor, type ProcessorStatus } from './processor';
export {
  type ClaimedRequest,
  claimParkedRequest,
  isPending,
  PARKED_EVENT_REQUESTS,
  PARKED_REQUEST_KEEP_SECONDS,
  type ParkedAction,
  type ParkedEventRequest,
  REQUEST_WINDOW_MS,
  requestIdFor,
} from './requests';
export { buildWatchArgs, COSMOS_PROJECTION, type StreamStart, type WatchArgs } from './stream-source';
export type {
  Handler,
  HandlerContext,
  LeaseOptions,
  ProcessorEvent,
  ProcessorMode,
  ProcessorOptions,
  StreamPosition,
} from './types';
export { Watermark, type WatermarkEntry } from './watermark';
