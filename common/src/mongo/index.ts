export {
  type ConnectMongoOptions,
  connectMongo,
  type MongoConnection,
  mongoReadiness,
} from './connect-mongo';
export { type CommandResult, deciderCommand, type StoredDecider } from './decider-command';
export { changeVersioned, type VersionedChange, type VersionedDocument } from './versioned-write';
export { isDuplicateKey, withoutUndefined } from './write-helpers';
