import { startMongoServer } from '@az-shop/mongo-emulator';
import { type Db, MongoClient } from 'mongodb';

export interface TestMongo {
  uri: string;
  client: MongoClient;
  /** A fresh database per call, so tests in one file do not see each other's documents. */
  freshDb(): Db;
  stop(): Promise<void>;
}

let counter = 0;

/** The project's dev Mongo server, in memory on a free port (or MONGO_TEST_URI when set, e.g. a real mongod). */
export async function startTestMongo(): Promise<TestMongo> {
  const external = process.env.MONGO_TEST_URI;
  const server = external ? undefined : await startMongoServer({ port: 0, inMemory: true });
  const uri = external ?? server!.uri;
  const client = new MongoClient(uri, { maxPoolSize: 50 });
  await client.connect();
  return {
    uri,
    client,
    freshDb: () => client.db(`test_${process.pid}_${++counter}`),
    async stop() {
      await client.close();
      await server?.stop();
    },
  };
}
