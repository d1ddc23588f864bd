import { type Db, MongoClient } from 'mongodb';
import { redactSecrets } from '../config/redact';
import type { Logger } from '../logger';
import type { MongoFlavour } from './flavour';

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export interface ConnectMongoOptions {
  MONGO_DB: string;
  /** Shows up in server logs and `currentOp`, so operators can tell the services apart. */
  appName: string;
  logger?: Logger;
  /** Database to use when the connection string names none. */
  defaultDatabase?: string;
}

/**
 * Opens the one `MongoClient` of a process. The timeouts fail fast at start-up (a service that can
 * not reach its database should say so within seconds), the pool is sized for a small service, and
 * writes and reads retry once on transient errors (the driver's default, stated here on purpose).
 */
export async function connectMongo(options: ConnectMongoOptions): Promise<MongoConnection> {
  try {
    const client = new MongoClient(options.MONGO_DB, {
      appName: options.appName,
      maxPoolSize: 20,
      minPoolSize: 1,
      serverSelectionTimeoutMS: 10_000,
      connectTimeoutMS: 5_000,
      socketTimeoutMS: 0,
      retryWrites: true,
      retryReads: true,
    });
    await client.connect();
    const db = client.db(databaseName(options.MONGO_DB) || options.defaultDatabase || 'azshop');
    options.logger?.info({ db: db.databaseName }, 'connected to MongoDB');
    return {
      client,
      db,
      close: () => client.close(),
    };
  } catch (error) {
    throw withoutSecrets(error);
  }
}

/** The database the connection string names (its path); parsed by hand, since `new URL` refuses host lists. */
function databaseName(connectionString: string): string {
  const path = /^[a-z+]+:\/\/[^/]*\/([^?#]*)/i.exec(connectionString)?.[1] ?? '';
  return decodeURIComponent(path);
}

/** Driver errors may quote the connection string; the process prints them uncaught, so hide its secrets. */
function withoutSecrets(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  error.message = redactSecrets(error.message);
  if (error.stack) error.stack = redactSecrets(error.stack);
  const withInput = error as Error & { input?: unknown };
  if (typeof withInput.input === 'string') withInput.input = redactSecrets(withInput.input);
  return error;
}

/**
 * A readiness check: the database answers a ping within the driver's selection timeout. With the
 * flavour, `/readyz` details say which one the services run against (MONGO_FLAVOUR).
 */
export function mongoReadiness(db: Db, flavour?: MongoFlavour) {
  return async () => {
    await db.command({ ping: 1 });
    return flavour ? ({ ok: true, details: { flavour } } as const) : ({ ok: true } as const);
  };
}
