import os from 'node:os';
import { type Document, Long, ObjectId } from 'bson';
import { isPlainObject } from '../bsonUtil.js';
import { fail } from '../errors.js';
import { awaitRequest } from '../topology.js';
import { type CommandContext, register } from './context.js';

// Constant so a restarted server is never taken for a stale primary by the driver.
const ELECTION_ID = new ObjectId('7fffffff0000000000000001');

export function helloReply(ctx: CommandContext, legacy: boolean): Document {
  const { server, engine } = ctx;
  const ts = engine.clusterTime();
  const wall = new Date();
  const reply: Document = {
    topologyVersion: server.topology.version(),
    [legacy ? 'ismaster' : 'isWritablePrimary']: true,
    hosts: server.hosts,
    setName: server.replSet,
    setVersion: 1,
    secondary: false,
    primary: server.me,
    me: server.me,
    electionId: ELECTION_ID,
    lastWrite: {
      opTime: { ts, t: Long.fromNumber(1) },
      lastWriteDate: wall,
      majorityOpTime: { ts, t: Long.fromNumber(1) },
      majorityWriteDate: wall,
    },
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: wall,
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.conn.id,
    minWireVersion: 0,
    maxWireVersion: server.version.maxWireVersion,
    readOnly: false,
    ok: 1,
  };
  if (ctx.cmd.helloOk === true) reply.helloOk = true;
  if (isPlainObject(ctx.cmd.client)) ctx.conn.client = ctx.cmd.client;
  return reply;
}

/**
 * hello/isMaster, awaitable when it carries `topologyVersion` + `maxAwaitTimeMS` (SDAM streaming protocol):
 * it answers once the topology changes or the wait passes. With the exhaustAllowed flag the wire layer keeps
 * re-running it (see server.ts), which is what mongod requires `maxAwaitTimeMS` for (51756).
 */
async function hello(ctx: CommandContext, legacy: boolean): Promise<Document> {
  const request = awaitRequest(ctx.cmd);
  if (ctx.exhaustAllowed && !request) {
    fail('Location51756', "An isMaster or hello request with exhaust must specify 'maxAwaitTimeMS'");
  }
  if (request) await ctx.server.topology.awaitChange(request, ctx.conn.closed);
  return helloReply(ctx, legacy);
}

register('hello', (ctx) => hello(ctx, false));
register(['isMaster', 'ismaster'], (ctx) => hello(ctx, true));

register('ping', () => ({ ok: 1 }));

register(['buildInfo', 'buildinfo'], (ctx) => ({
  version: ctx.server.version.version,
  gitVersion: 'az-shop-mongo-emulator',
  versionArray: [...ctx.server.version.versionArray],
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['emulator'],
  modules: [],
  javascriptEngine: 'none',
  sysInfo: 'deprecated',
  allocator: 'system',
  buildEnvironment: {},
  openssl: { running: 'disabled' },
  ok: 1,
}));

register('hostInfo', () => ({
  system: {
    currentTime: new Date(),
    hostname: os.hostname(),
    cpuAddrSize: 64,
    memSizeMB: Math.round(os.totalmem() / 1048576),
    numCores: os.cpus().length,
    cpuArch: os.arch(),
  },
  os: { type: os.type(), name: os.platform(), version: os.release() },
  extra: {},
  ok: 1,
}));

register('getParameter', (ctx) => {
  const params: Document = {
    featureCompatibilityVersion: { version: ctx.server.version.release },
    transactionLifetimeLimitSeconds: 60,
    maxTransactionLockRequestTimeoutMillis: 5,
    logLevel: 0,
    authenticationMechanisms: [],
  };
  const cmd = ctx.cmd;
  if (cmd.getParameter === '*' || (isPlainObject(cmd.getParameter) && cmd.getParameter.allParameters)) {
    return { ...params, ok: 1 };
  }
  const out: Document = {};
  for (const k of Object.keys(cmd)) if (k in params) out[k] = params[k];
  if (Object.keys(out).length === 0) fail('InvalidOptions', 'no option found to get');
  return { ...out, ok: 1 };
});

register('getCmdLineOpts', (ctx) => ({
  argv: ['mongo-emulator'],
  parsed: { net: { port: ctx.server.port }, replication: { replSet: ctx.server.replSet } },
  ok: 1,
}));

register(['serverStatus'], (ctx) => {
  const mem = process.memoryUsage();
  const commands = ctx.server.commandMetrics.status();
  return {
    host: os.hostname(),
    version: ctx.server.version.version,
    process: 'mongod',
    pid: Long.fromNumber(process.pid),
    uptime: Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000),
    uptimeMillis: Long.fromNumber(Date.now() - ctx.server.startedAt.getTime()),
    localTime: new Date(),
    connections: { current: ctx.server.connections(), available: 1_000_000 - ctx.server.connections() },
    network: { numRequests: Long.fromNumber(ctx.server.requests) },
    opcounters: commands.opcounters,
    mem: { bits: 64, resident: Math.round(mem.rss / 1048576), virtual: Math.round(mem.rss / 1048576) },
    repl: {
      setName: ctx.server.replSet,
      isWritablePrimary: true,
      primary: ctx.server.me,
      me: ctx.server.me,
      hosts: ctx.server.hosts,
    },
    storageEngine: { name: 'emulator', persistent: ctx.server.dbPath !== null },
    metrics: { commands: commands.commands, cursor: { open: { total: ctx.cursors.size } } },
    ok: 1,
  };
});

register('replSetGetStatus', (ctx) => {
  const ts = ctx.engine.clusterTime();
  const optime = { ts, t: Long.fromNumber(1) };
  return {
    set: ctx.server.replSet,
    date: new Date(),
    myState: 1,
    term: Long.fromNumber(1),
    heartbeatIntervalMillis: Long.fromNumber(2000),
    optimes: { lastCommittedOpTime: optime, appliedOpTime: optime, durableOpTime: optime },
    members: [
      {
        _id: 0,
        name: ctx.server.me,
        health: 1,
        state: 1,
        stateStr: 'PRIMARY',
        uptime: Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000),
        optime,
        optimeDate: new Date(),
        self: true,
      },
    ],
    ok: 1,
  };
});

register('replSetGetConfig', (ctx) => ({
  config: {
    _id: ctx.server.replSet,
    version: 1,
    term: 1,
    members: [{ _id: 0, host: ctx.server.me, arbiterOnly: false, hidden: false, priority: 1, votes: 1 }],
    settings: {},
  },
  ok: 1,
}));

register('replSetInitiate', () => fail('Location23', 'already initialized'));

register('getLog', (ctx) => {
  const which = ctx.cmd.getLog;
  if (which === '*') return { names: ['global', 'startupWarnings'], ok: 1 };
  return { totalLinesWritten: 0, log: [], ok: 1 };
});

register('connectionStatus', () => ({
  authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
  ok: 1,
}));

register('whatsmyuri', (ctx) => ({ you: ctx.conn.remote, ok: 1 }));
register('getFreeMonitoringStatus', () => ({ state: 'disabled', ok: 1 }));
register('logout', () => ({ ok: 1 }));
register('features', () => ({ ok: 1 }));
register('listCommands', () => ({ commands: {}, ok: 1 }));
register('setFeatureCompatibilityVersion', () => ({ ok: 1 }));
register('setParameter', () => ({ was: null, ok: 1 }));
register('fsync', async (ctx) => {
  await ctx.engine.persistence?.flush();
  return { numFiles: 1, ok: 1 };
});
register('saslStart', () =>
  fail('Location18', 'Authentication is not supported by the mongo emulator (it runs without auth)'),
);
