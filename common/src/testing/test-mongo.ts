import { type CosmosOptions, startMongoServer } from '@az-shop/mongo-emulator';
import { type Db, MongoClient } from 'mongodb';
import type { MongoFlavour } from '../mongo/flavour';

export interface TestMongo {
  uri: string;
  client: MongoClient;
  /** Which server this is: the dev server started with `cosmos` behaves like Cosmos DB. */
  flavour: MongoFlavour;
  /** A fresh database per call, so tests in one file do not see each other's documents. */
  freshDb(): Db;
  /** Another client (closed by `stop`), e.g. for the services under test with their own `appName`. */
  connect(appName: string): Promise<MongoClient>;
  stop(): Promise<void>;
}

export interface TestMongoOptions {
  /** Start the dev server behaving like Cosmos DB (refusals, and 16500 throttling at a rate). */
  cosmos?: boolean | CosmosOptions;
}

let counter = 0;

/** The project's dev Mongo server, in memory on a free port (or MONGO_TEST_URI when set, e.g. a real mongod). */
export async function startTestMongo(options: TestMongoOptions = {}): Promise<TestMongo> {
  const external = process.env.MONGO_TEST_URI;
  const server = external
    ? undefined
    : await startMongoServer({
        port: 0,
        inMemory: true,
        ...(options.cosmos ? { cosmos: options.cosmos } : {}),
      });
  const uri = external ?? server!.uri;
  const client = new MongoClient(uri, { maxPoolSize: 50 });
  await client.connect();
  const others: MongoClient[] = [];
  return {
    uri,
    client,
    flavour: options.cosmos ? 'cosmos' : 'mongo',
    freshDb: () => client.db(`test_${process.pid}_${++counter}`),
    async connect(appName) {
      const other = new MongoClient(uri, { maxPoolSize: 50, appName });
      others.push(other);
      await other.connect();
      return other;
    },
    async stop() {
      await Promise.all(others.map((other) => other.close()));
      await client.close();
      await server?.stop();
    },
  };
}
