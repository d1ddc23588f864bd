import path from 'node:path';
import { CommandMetrics } from './command-metrics.js';
import type { CosmosOptions } from './cosmos.js';
import { CursorRegistry } from './cursors.js';
import { WireServer } from './server.js';
import { type MongodVersion, versionInfo } from './serverVersion.js';
import { Sessions } from './sessions.js';
import { openDataDir } from './storage/dataDir.js';
import { Engine } from './storage/engine.js';
import type { FsyncMode } from './storage/journal.js';
import { TtlMonitor } from './storage/ttl.js';
import { Topology } from './topology.js';

export interface MongoServerOptions {
  /** TCP port; 0 picks a free one (the real port is advertised and returned). Default 27017. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  bind?: string;
  /** Data directory. Default `__mongo_data__` relative to the cwd. */
  dbPath?: string;
  /** Keep everything in memory (no data directory). */
  inMemory?: boolean;
  /** Replica set name. Default rs0. */
  replSet?: string;
  /** Host names advertised in hello (`hosts`, `me`, `primary`). Default `127.0.0.1:<port>`. */
  hosts?: string[];
  /** Journal durability: `always` (group commit, default), `interval` (100 ms), `never`. */
  fsync?: FsyncMode;
  logLevel?: 'silent' | 'error' | 'info' | 'debug';
  /** Change-log retention (entries). Default 100000. */
  oplogMaxEntries?: number;
  /** Change-log retention (age). Default 24 h. */
  oplogMaxAgeSeconds?: number;
  /**
   * Behave like Azure Cosmos DB's API for MongoDB: refuse what it refuses in change streams and
   * transactions, answer its `customAction`, and inject 16500 throttling at a rate (cosmos.ts).
   */
  cosmos?: boolean | CosmosOptions;
  /**
   * The mongod release to present in `buildInfo`/`hello` (maxWireVersion) and to follow where behaviour
   * differs between releases (serverVersion.ts). Default '7.0'.
   */
  mongodVersion?: MongodVersion;
}

export interface RunningMongoServer {
  readonly port: number;
  /** `mongodb://127.0.0.1:<port>/?replicaSet=rs0` */
  readonly uri: string;
  /** Closes the listener and every client connection, flushes and snapshots the data directory. */
  stop(): Promise<void>;
}

export async function startMongoServer(options: MongoServerOptions = {}): Promise<RunningMongoServer> {
  const logLevel = options.logLevel ?? 'silent';
  const rank = { silent: 0, error: 1, info: 2, debug: 3 } as const;
  const log = (level: 'error' | 'info' | 'debug', msg: string): void => {
    if (rank[level] <= rank[logLevel]) console.error(`[mongo-emulator] ${level}: ${msg}`);
  };
  const version = versionInfo(options.mongodVersion);
  const engine = new Engine({
    oplogMaxEntries: options.oplogMaxEntries ?? 100_000,
    oplogMaxAgeSeconds: options.oplogMaxAgeSeconds ?? 24 * 3600,
  });
  const dbPath = options.inMemory ? null : path.resolve(options.dbPath ?? '__mongo_data__');
  if (dbPath) {
    engine.persistence = await openDataDir(engine, dbPath, options.fsync ?? 'always', log);
  } else {
    engine.identity = randomIdentity();
  }
  const cursors = new CursorRegistry();
  const sessions = new Sessions(engine);
  const replSet = options.replSet ?? 'rs0';
  const bind = options.bind ?? '127.0.0.1';
  const info = {
    replSet,
    hosts: [] as string[],
    me: '',
    port: 0,
    startedAt: new Date(),
    dbPath,
    logLevel,
    connections: () => 0,
    requests: 0,
    commandMetrics: new CommandMetrics(),
    topology: new Topology(),
    log,
    version,
    ...(options.cosmos ? { cosmos: options.cosmos === true ? {} : options.cosmos } : {}),
  };
  const wire = new WireServer(engine, cursors, sessions, info);
  let port: number;
  try {
    port = await wire.listen(options.port ?? 27017, bind);
  } catch (err) {
    await engine.persistence?.close();
    throw err;
  }
  const advertisedHost = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
  info.port = port;
  info.hosts = options.hosts?.length ? options.hosts : [`${advertisedHost}:${port}`];
  info.me = info.hosts[0]!;
  const ttl = new TtlMonitor(engine, log, undefined, sessions.locks, !!options.cosmos);
  ttl.start();
  log('debug', `listening on ${bind}:${port}`);
  let stopped: Promise<void> | null = null;
  return {
    port,
    uri: `mongodb://${info.me}/?replicaSet=${replSet}`,
    stop() {
      stopped ??= (async () => {
        ttl.stop();
        await wire.close();
        cursors.closeAll();
        sessions.close();
        engine.oplog.wakeAll();
        await engine.persistence?.close();
      })();
      return stopped;
    },
  };
}

function randomIdentity(): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

export type { CosmosOptions, FsyncMode, MongodVersion };
