import type { Document } from 'bson';
import type { CommandMetrics } from '../command-metrics.js';
import type { CosmosOptions } from '../cosmos.js';
import type { CursorRegistry } from '../cursors.js';
import type { VersionInfo } from '../serverVersion.js';
import type { Session, Sessions, Transaction } from '../sessions.js';
import type { Engine } from '../storage/engine.js';
import type { Store } from '../store.js';
import type { Topology } from '../topology.js';

export interface ServerInfo {
  replSet: string;
  hosts: string[];
  me: string;
  port: number;
  startedAt: Date;
  dbPath: string | null;
  /** topologyVersion and the awaitable-hello waits on it. */
  topology: Topology;
  logLevel: 'silent' | 'error' | 'info' | 'debug';
  connections: () => number;
  /** Wire messages received (serverStatus `network.numRequests`). */
  requests: number;
  /** Commands executed (serverStatus `opcounters`, `metrics.commands`). */
  commandMetrics: CommandMetrics;
  log: (level: 'error' | 'info' | 'debug', msg: string) => void;
  /** The mongod release presented (buildInfo, hello), and whose behaviour differs by release. */
  version: VersionInfo;
  /** Set: behave like Azure Cosmos DB's API for MongoDB (cosmos.ts). */
  cosmos?: CosmosOptions;
}

export interface ConnectionInfo {
  id: number;
  remote: string;
  client?: Document;
  /** Aborted when the connection closes (ends the waits of its awaitable hellos). */
  closed: AbortSignal;
}

export interface CommandContext {
  engine: Engine;
  cursors: CursorRegistry;
  sessions: Sessions;
  server: ServerInfo;
  conn: ConnectionInfo;
  db: string;
  cmd: Document;
  name: string;
  /** Reads and writes go through this (direct, or the transaction's private view). */
  store: Store;
  /** Encoded lsid of the session the command runs in, if any. */
  lsid?: string;
  /** Size of the request on the wire (only documents of a >16 MiB message can be too large). */
  messageBytes: number;
  /** The OP_MSG carried exhaustAllowed (the reply may stream, see server.ts). */
  exhaustAllowed: boolean;
  session?: Session;
  txn?: Transaction;
}

export type Handler = (ctx: CommandContext) => Promise<Document> | Document;

export const registry = new Map<string, Handler>();

export function register(names: string | string[], handler: Handler): void {
  for (const n of Array.isArray(names) ? names : [names]) registry.set(n, handler);
}

/** Commands that write, for retryable-write dedupe and transactions. */
export const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);
