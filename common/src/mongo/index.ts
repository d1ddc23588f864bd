export {
  type ConnectMongoOptions,
  connectMongo,
  type MongoConnection,
  mongoReadiness,
} from './connect-mongo';
