export {
  type ConnectMongoOptions,
  connectMongo,
  type MongoConnection,
  mongoReadiness,
} from './connect-mongo';
export { type CommandResult, deciderCommand, type StoredDecider } from './decider-command';
export {
  type ExpiryIndex,
  ensureExpiryIndex,
  expiryFields,
  notExpired,
  ttlUntil,
} from './expiry';
export {
  flavourFromHosts,
  flavourFromServer,
  hostsOf,
  type MongoFlavour,
  type MongoFlavourSetting,
  resolveMongoFlavour,
} from './flavour';
export { connectServiceMongo } from './service-mongo';
export {
  isThrottled,
  retryAfterMs,
  retryThrottled,
  TOO_MANY_REQUESTS,
  throttleDelay,
  throttledCounter,
} from './throttling';
export { changeVersioned, type VersionedChange, type VersionedDocument } from './versioned-write';
export { isDuplicateKey, withoutUndefined } from './write-helpers';
