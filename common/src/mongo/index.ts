export {
  type ConnectMongoOptions,
  connectMongo,
  type MongoConnection,
  mongoReadiness,
} from './connect-mongo';
export { contentionPause, isDuplicateKey, withoutUndefined } from './write-helpers';
