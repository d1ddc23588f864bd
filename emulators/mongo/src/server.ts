import net from 'node:net';
import { Binary, type Document, Long } from 'bson';
import { numberOf } from './bsonUtil.js';
import './commands/admin.js';
import {
  type CommandContext,
  type ConnectionInfo,
  registry,
  type ServerInfo,
  WRITE_COMMANDS,
} from './commands/context.js';
import './commands/ddl.js';
import './commands/maintenance.js';
import './commands/read.js';
import './commands/sessions.js';
import './commands/write.js';
import { serialize } from './bsonUtil.js';
import { labelChangeStreamError, opensChangeStream } from './changes/errorLabels.js';
import { refusingViews } from './commands/views.js';
import { checkCosmosTransaction, customAction, maybeThrottle } from './cosmos.js';
import type { CursorRegistry } from './cursors.js';
import { MongoServerError, toServerError } from './errors.js';
import { validateCollations } from './query/collation.js';
import { lsidKey, type Sessions } from './sessions.js';
import type { Engine } from './storage/engine.js';
import type { DirectStore } from './store.js';
import {
  decodeMessage,
  encodeOpReply,
  encodeReply,
  FLAG_MORE_TO_COME,
  type IncomingMessage,
  MAX_BSON_SIZE,
  MessageFramer,
  OP_QUERY,
  opMsgHeader,
} from './wire/protocol.js';

const ZERO_SIGNATURE = { hash: new Binary(Buffer.alloc(20)), keyId: Long.ZERO };

/** Commands allowed inside a multi-document transaction. */
const TXN_COMMANDS = new Set([
  'find',
  'getMore',
  'killCursors',
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'aggregate',
  'distinct',
  'commitTransaction',
  'abortTransaction',
  'create',
  'createIndexes',
  'listIndexes',
  'explain',
]);

export class WireServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;
  /** Set by close(): nothing is accepted or executed any more. */
  private closing = false;

  constructor(
    private readonly engine: Engine,
    private readonly cursors: CursorRegistry,
    private readonly sessions: Sessions,
    readonly info: ServerInfo,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
    info.connections = () => this.sockets.size;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /**
   * Stops accepting, then cuts every client connection with a TCP reset (drivers see ECONNRESET and
   * reconnect/resume).
   *
   * A reset, not a FIN: on a FIN the driver's socket first ends and is destroyed, and only a loop turn later
   * emits 'close', which is when the driver marks the connection closed. A pool connection's 'close' in
   * between marks the server Unknown and wakes the polling monitor, which then writes its `hello` to its own
   * socket in that window (destroyed, not yet marked closed): the write neither fails nor drains, and the
   * mongodb 6/7 monitor waits on it forever, so the client never finds the restarted server. A reset
   * reaches the driver as a socket error that it handles in the same tick as the destroy, so there is no
   * such window.
   */
  close(): Promise<void> {
    this.closing = true;
    // Awaitable hellos answer now (into connections about to be cut) instead of holding their timers.
    this.info.topology.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
    return closed;
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.on('error', () => {});
      socket.resetAndDestroy();
      return;
    }
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const closed = new AbortController();
    const conn: ConnectionInfo = {
      id: this.nextConnectionId++,
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      closed: closed.signal,
    };
    const framer = new MessageFramer();
    let chain: Promise<void> = Promise.resolve();
    socket.on('data', (chunk) => {
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch (err) {
        this.info.log('error', `connection ${conn.id}: ${(err as Error).message}`);
        socket.destroy();
        return;
      }
      for (const m of messages) {
        this.info.requests++;
        if (this.closing) {
          // Stopping: cut the connection rather than leave the request unanswered on an open socket.
          socket.resetAndDestroy();
          return;
        }
        // One request at a time per connection, in order (drivers do not pipeline).
        chain = chain
          .then(() => this.handle(socket, conn, m))
          .catch((err: unknown) => this.info.log('error', `connection ${conn.id}: ${String(err)}`));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.sockets.delete(socket);
      closed.abort();
    });
  }

  private async handle(socket: net.Socket, conn: ConnectionInfo, raw: Buffer): Promise<void> {
    // Queued behind a request that was running when the server stopped: the connection is gone already.
    if (this.closing || socket.destroyed) return;
    let msg: IncomingMessage;
    try {
      msg = decodeMessage(raw);
    } catch (err) {
      this.info.log('error', `connection ${conn.id}: bad message: ${(err as Error).message}`);
      socket.destroy();
      return;
    }
    let reply = await this.execute(conn, msg);
    let responseTo = msg.requestId;
    for (;;) {
      if (msg.moreToCome || socket.destroyed || this.closing) return;
      const more = streamsReplies(msg, reply);
      const sentId = this.send(socket, msg, responseTo, reply, more);
      if (!more) return;
      // Exhaust (mongod's streaming hello): the same command runs again with the topologyVersion just sent,
      // so it waits for the next change or maxAwaitTimeMS, and so on until the connection closes. Each reply
      // answers the previous one, as if the client had sent it. A reply the client is not reading waits.
      msg = { ...msg, command: { ...msg.command, topologyVersion: reply.topologyVersion } };
      responseTo = sentId;
      if (socket.writableNeedDrain) await drained(socket);
      reply = await this.execute(conn, msg);
    }
  }

  /** Writes one reply; returns its requestId. `moreToCome` marks a streamed (exhaust) reply. */
  private send(
    socket: net.Socket,
    msg: IncomingMessage,
    responseTo: number,
    reply: Document,
    moreToCome: boolean,
  ): number {
    let out: Buffer;
    try {
      const body = serialize(reply);
      if (body.length > MAX_BSON_SIZE + 16 * 1024) {
        throw new MongoServerError(
          'BSONObjectTooLarge',
          `BSONObj size: ${body.length} is invalid. Size must be between 0 and 16793600(16MB)`,
        );
      }
      if (msg.opCode !== OP_QUERY) {
        // Header and body go out in one writev (no concatenation copy).
        const head = opMsgHeader(responseTo, body.length, moreToCome ? FLAG_MORE_TO_COME : 0);
        socket.cork();
        socket.write(head);
        socket.write(body);
        socket.uncork();
        return head.readInt32LE(4);
      }
      out = encodeOpReply(responseTo, body);
    } catch (err) {
      out = encodeReply(msg, this.envelope(toServerError(err).toReply()));
    }
    socket.write(out);
    return out.readInt32LE(4);
  }

  private envelope(reply: Document): Document {
    const ts = this.engine.clusterTime();
    reply.$clusterTime = { clusterTime: ts, signature: ZERO_SIGNATURE };
    reply.operationTime = ts;
    return reply;
  }

  async execute(conn: ConnectionInfo, msg: IncomingMessage): Promise<Document> {
    const cmd = msg.command;
    const name = Object.keys(cmd)[0] ?? '';
    const started = Date.now();
    let reply: Document;
    try {
      reply = await this.run(conn, msg, name);
    } catch (err) {
      const e = labelChangeStreamError(err, name === 'aggregate' && opensChangeStream(cmd));
      if (e.code === 1)
        this.info.log('error', `command ${name} failed: ${(err as Error).stack ?? e.message}`);
      reply = e.toReply();
    }
    this.info.commandMetrics.record(name, cmd, reply.ok === 1);
    if (this.info.logLevel === 'debug') {
      this.info.log(
        'debug',
        `conn${conn.id} ${msg.db}.${name} ${Date.now() - started}ms ok=${String(reply.ok)}`,
      );
    }
    return this.envelope(reply);
  }

  private async run(conn: ConnectionInfo, msg: IncomingMessage, name: string): Promise<Document> {
    const cmd = msg.command;
    const cosmos = this.info.cosmos;
    const found = cosmos && name === 'customAction' ? customAction : registry.get(name);
    if (!found) throw new MongoServerError('CommandNotFound', `no such command: '${name}'`);
    const handler = refusingViews(name, found);
    validateCollations(cmd);
    const key = lsidKey(cmd.lsid);
    if (key) this.sessions.seen(key, cmd.lsid as Document);
    const ctx: CommandContext = {
      engine: this.engine,
      cursors: this.cursors,
      sessions: this.sessions,
      server: this.info,
      conn,
      db: msg.db,
      cmd,
      name,
      store: this.sessions.direct(),
      lsid: key,
      messageBytes: msg.size,
      exhaustAllowed: msg.exhaustAllowed,
    };
    ctx.store.bypassValidation = cmd.bypassDocumentValidation === true;
    if (cosmos) maybeThrottle(cosmos, ctx);
    if (cmd.autocommit === false) return this.runInTransaction(ctx, handler);
    if (name === 'commitTransaction' || name === 'abortTransaction') {
      throw new MongoServerError(
        'InvalidOptions',
        `'autocommit' field must be specified as false for ${name}`,
      );
    }
    if (cmd.txnNumber !== undefined && key && WRITE_COMMANDS.has(name)) {
      // Retryable write: the same (lsid, txnNumber) returns the first execution's reply, writing once.
      const session = this.sessions.get(cmd.lsid);
      ctx.session = session;
      const n = numberOf(cmd.txnNumber) ?? 0;
      if (session.retry && session.retry.txnNumber === n) return structuredReply(await session.retry.reply);
      if (n < session.highestTxnNumber) {
        throw new MongoServerError(
          'TransactionTooOld',
          `txnNumber ${n} is less than last txnNumber ${session.highestTxnNumber} seen in session`,
        );
      }
      session.highestTxnNumber = n;
      // The outcome is journaled with the write (restored after a restart, see Sessions).
      (ctx.store as DirectStore).retry = { key, lsid: cmd.lsid as Document, txnNumber: n };
      const reply = Promise.resolve(handler(ctx));
      session.retry = { txnNumber: n, reply };
      try {
        return await reply;
      } catch (err) {
        if (session.retry?.reply === reply) session.retry = null;
        throw err;
      }
    }
    return handler(ctx);
  }

  private async runInTransaction(
    ctx: CommandContext,
    handler: (ctx: CommandContext) => Promise<Document> | Document,
  ): Promise<Document> {
    const cmd = ctx.cmd;
    if (!ctx.lsid || cmd.txnNumber === undefined) {
      throw new MongoServerError('InvalidOptions', "'autocommit' requires 'lsid' and 'txnNumber'");
    }
    if (!TXN_COMMANDS.has(ctx.name)) {
      throw new MongoServerError(
        'OperationNotSupportedInTransaction',
        `Cannot run '${ctx.name}' in a multi-document transaction.`,
      );
    }
    const session = this.sessions.get(cmd.lsid);
    ctx.session = session;
    const txnNumber = Long.fromValue(cmd.txnNumber as Long);
    const txn =
      cmd.startTransaction === true
        ? this.sessions.startTransaction(session, txnNumber)
        : this.sessions.continueTransaction(session, txnNumber, ctx.name);
    ctx.txn = txn;
    if (ctx.name !== 'commitTransaction' && ctx.name !== 'abortTransaction') ctx.store = txn;
    txn.bypassValidation = cmd.bypassDocumentValidation === true;
    try {
      // Inside the try: a refused statement aborts the transaction like any failed one.
      if (this.info.cosmos) checkCosmosTransaction(ctx, txn, cmd.startTransaction === true);
      return await handler(ctx);
    } catch (err) {
      // Like mongod, a failed statement aborts the whole transaction.
      const e = toServerError(err);
      if (ctx.name !== 'abortTransaction' && txn.state === 'inProgress') txn.abort();
      if (e.code === 112 || e.code === 251) e.withLabel('TransientTransactionError');
      throw e;
    }
  }
}

/** Only hello/isMaster stream (mongod also streams exhaust getMores, which drivers do not use); not errors. */
function streamsReplies(msg: IncomingMessage, reply: Document): boolean {
  if (!msg.exhaustAllowed || reply.ok !== 1) return false;
  const name = Object.keys(msg.command)[0];
  return name === 'hello' || name === 'isMaster' || name === 'ismaster';
}

function drained(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** Replies are mutated by the envelope; a cached retry reply gets a fresh top level. */
function structuredReply(reply: Document): Document {
  return { ...reply };
}
