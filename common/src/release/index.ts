export { runReleaseCli } from './cli';
export {
  isReleaseColour,
  type ProcessorsControlDoc,
  RELEASE_COLOURS,
  RELEASE_CONTROL,
  type ReleaseColour,
  readActiveColour,
  setActiveColour,
} from './control';
export {
  type ColourGateOptions,
  colourGatedReactions,
  type ReactionSettings,
  serviceReactionsFromSettings,
} from './gate';
export { type HandOverOptions, type HandOverResult, handOver } from './handover';
export {
  heldByOthers,
  liveProcessors,
  notHeldBy,
  type Ownership,
  processorsRunBy,
  readOwnership,
} from './ownership';
