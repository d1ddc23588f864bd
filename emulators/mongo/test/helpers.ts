import * as mongodb7 from 'mongodb';
import { type Document, MongoClient, type MongoServerError, type UpdateFilter } from 'mongodb';
import * as mongodb6 from 'mongodb6';
import { type MongoServerOptions, type RunningMongoServer, startMongoServer } from '../src/index.js';

/** Test documents with non-ObjectId ids (the driver's Document type allows any field). */
export type AnyDoc = Document & { _id: string | number };

/** Untyped update document (the driver's typings reject array operators on index-signature fields). */
export const upd = (u: Document): UpdateFilter<AnyDoc> => u as UpdateFilter<AnyDoc>;

/** Both driver majors; the third element gives the BSON classes matching that driver's bson version. */
export const drivers = [
  ['mongodb@7', mongodb7.MongoClient, mongodb7],
  [
    'mongodb@6',
    mongodb6.MongoClient as unknown as typeof MongoClient,
    mongodb6 as unknown as typeof mongodb7,
  ],
] as const;

/** A server with two clients: one that opens transactions and another that writes beside them. */
export async function startWithTwoClients(
  Client: typeof MongoClient = MongoClient,
): Promise<{ client: MongoClient; other: MongoClient; close: () => Promise<void> }> {
  const started = await startWithClient({}, Client);
  const other = new Client(started.server.uri);
  await other.connect();
  return {
    client: started.client,
    other,
    close: async () => {
      await other.close();
      await started.close();
    },
  };
}

export async function startWithClient(
  options: MongoServerOptions = {},
  Client: typeof MongoClient = MongoClient,
): Promise<{ server: RunningMongoServer; client: MongoClient; close: () => Promise<void> }> {
  const server = await startMongoServer({ port: 0, inMemory: true, ...options });
  const client = new Client(server.uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  return {
    server,
    client,
    close: async () => {
      await client.close();
      await server.stop();
    },
  };
}

/** The server's error a command answered, or undefined when it succeeded (to assert code and message). */
export const err = (p: Promise<unknown>): Promise<MongoServerError | undefined> =>
  p.then(
    () => undefined,
    (e: MongoServerError) => e,
  );

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns true (no timing assertions: just bounded waiting). */
export async function eventually(fn: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(50);
  }
}
