import { startMongoServer } from '@az-shop/mongo-emulator';
import { MongoClient } from 'mongodb';

export interface TestMongo {
  uri: string;
  stop(): Promise<void>;
}

/**
 * The dev Mongo server on a free port, in memory; or, when MONGO_TEST_URI is set, that server
 * (a real mongod replica set). Each app gets its own database on it (see `databaseUri`).
 */
export async function startTestMongo(): Promise<TestMongo> {
  const external = process.env.MONGO_TEST_URI;
  if (external) return { uri: external, stop: async () => {} };
  const server = await startMongoServer({ port: 0, inMemory: true });
  return { uri: server.uri, stop: () => server.stop() };
}

/** A connection string to a fresh database on `uri`, so test files never see each other's data. */
export function databaseUri(uri: string, name: string): string {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.href;
}

export async function dropDatabase(uri: string): Promise<void> {
  const client = await MongoClient.connect(uri);
  try {
    await client.db().dropDatabase();
  } finally {
    await client.close();
  }
}
