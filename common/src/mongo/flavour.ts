import type { Db } from 'mongodb';
import type { Logger } from '../logger';

/** Which server the services talk to: MongoDB, or Azure Cosmos DB's API for MongoDB (docs/processor.md). */
export type MongoFlavour = 'mongo' | 'cosmos';
/** The `MONGO_FLAVOUR` setting: a flavour, or `auto` to recognise it at startup. */
export type MongoFlavourSetting = MongoFlavour | 'auto';

/** Cosmos DB's endpoints: RU (`*.mongo.cosmos.azure.com`) and vCore (`*.mongocluster.cosmos.azure.com`), China cloud too. */
const COSMOS_HOST = /\.(mongo|mongocluster)\.cosmos\.azure\.(com|cn)$/i;

/** The hosts of a connection string (`mongodb://` or `mongodb+srv://`, credentials and options left out). */
export function hostsOf(connectionString: string): string[] {
  const authority = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?#]*)/i.exec(connectionString)?.[1] ?? '';
  return authority
    .split(',')
    .map((host) => host.replace(/:\d+$/, '').toLowerCase())
    .filter(Boolean);
}

/** `cosmos` when a host of the connection string is a Cosmos DB endpoint, else undefined (pure). */
export function flavourFromHosts(connectionString: string): MongoFlavour | undefined {
  return hostsOf(connectionString).some((host) => COSMOS_HOST.test(host)) ? 'cosmos' : undefined;
}

/**
 * The server's own answer: Cosmos DB answers its `customAction: 'GetDatabase'` extension command,
 * MongoDB answers CommandNotFound (59). Any error reads as MongoDB.
 */
export async function flavourFromServer(db: Db): Promise<MongoFlavour> {
  try {
    const reply = await db.command({ customAction: 'GetDatabase' });
    return reply.ok === 1 ? 'cosmos' : 'mongo';
  } catch {
    return 'mongo';
  }
}

/**
 * Resolves `MONGO_FLAVOUR`: `mongo` / `cosmos` as set; `auto` by the connection string's host, else by
 * the server's answer. Logged once, so the startup log says which mode runs. `mongo` with a Cosmos DB
 * host is refused: every change stream would be refused and no processor would ever be ready.
 */
export async function resolveMongoFlavour(input: {
  setting: MongoFlavourSetting | undefined;
  connectionString: string;
  db: Db;
  logger?: Logger;
}): Promise<MongoFlavour> {
  const setting = input.setting ?? 'auto';
  let flavour: MongoFlavour;
  let from: 'setting' | 'host' | 'server';
  if (setting === 'mongo' && flavourFromHosts(input.connectionString)) {
    throw new Error(
      'MONGO_FLAVOUR=mongo, but MONGO_DB is an Azure Cosmos DB host: Cosmos DB refuses mongo-mode change streams; set MONGO_FLAVOUR to auto or cosmos',
    );
  }
  if (setting !== 'auto') {
    flavour = setting;
    from = 'setting';
  } else {
    const byHost = flavourFromHosts(input.connectionString);
    flavour = byHost ?? (await flavourFromServer(input.db));
    from = byHost ? 'host' : 'server';
  }
  input.logger?.info(
    { flavour, from, setting },
    `MongoDB flavour: ${flavour} (processors run in ${flavour} mode)`,
  );
  return flavour;
}
