import net from 'node:net';
import type { Document } from 'bson';
import type { MongoClient, MongoServerError, ServerHeartbeatSucceededEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialize } from '../src/bsonUtil.js';
import { type RunningMongoServer, startMongoServer } from '../src/index.js';
import {
  decodeMessage,
  encodeOpMsg,
  FLAG_EXHAUST_ALLOWED,
  FLAG_MORE_TO_COME,
  MessageFramer,
} from '../src/wire/protocol.js';
import { drivers, eventually, sleep } from './helpers.js';

const HEARTBEAT_MS = 500;
const IDLE_MS = 1500;

interface Beat {
  at: number;
  awaited: boolean;
  reply: Document;
}

/** A client that records its monitor's successful and failed heartbeats. */
function monitored(
  Client: typeof MongoClient,
  uri: string,
  options: ConstructorParameters<typeof MongoClient>[1] = {},
): { client: MongoClient; beats: Beat[]; failures: unknown[] } {
  const client = new Client(uri, {
    heartbeatFrequencyMS: HEARTBEAT_MS,
    serverSelectionTimeoutMS: 5000,
    ...options,
  });
  const beats: Beat[] = [];
  const failures: unknown[] = [];
  client.on('serverHeartbeatSucceeded', (e: ServerHeartbeatSucceededEvent) =>
    beats.push({ at: Date.now(), awaited: e.awaited, reply: e.reply }),
  );
  client.on('serverHeartbeatFailed', (e) => failures.push(e.failure));
  return { client, beats, failures };
}

async function numRequests(client: MongoClient): Promise<number> {
  const status = await client.db('admin').command({ serverStatus: 1 });
  return Number(status.network.numRequests);
}

describe.each(drivers)('awaitable / streaming hello with %s', (_label, Client, bson) => {
  let server: RunningMongoServer;
  beforeAll(async () => {
    server = await startMongoServer({ port: 0, inMemory: true });
  });
  afterAll(async () => {
    await server.stop();
  });

  for (const mode of ['stream', 'auto'] as const) {
    it(`streams awaited heartbeats in serverMonitoringMode '${mode}' and idles cheaply`, async () => {
      const { client, beats, failures } = monitored(Client, server.uri, { serverMonitoringMode: mode });
      await client.connect();
      try {
        await client.db('hello').collection('c').insertOne({ mode });
        // The first reply after the handshake can come at once (older topologyVersion); later ones wait.
        await eventually(() => beats.filter((b) => b.awaited).length >= 3);
        const tv = beats[beats.length - 1]!.reply.topologyVersion as { processId: unknown };
        expect(String(tv.processId)).toMatch(/^[0-9a-f]{24}$/);

        const before = await numRequests(client);
        const cpu = process.cpuUsage();
        const from = Date.now();
        await sleep(IDLE_MS);
        const used = process.cpuUsage(cpu);
        const to = Date.now();
        const requests = (await numRequests(client)) - before;
        const window = beats.filter((b) => b.at >= from && b.at <= to);

        // Each streamed reply is answered after maxAwaitTimeMS (= heartbeatFrequencyMS), not immediately.
        expect(window.every((b) => b.awaited)).toBe(true);
        expect(window.length).toBeGreaterThanOrEqual(2);
        expect(window.length).toBeLessThanOrEqual(IDLE_MS / HEARTBEAT_MS + 2);
        for (let i = 1; i < window.length; i++) {
          expect(window[i]!.at - window[i - 1]!.at).toBeGreaterThan(HEARTBEAT_MS * 0.6);
        }
        // Exhaust: the server pushes the replies; the client only sends its RTT pings (+ serverStatus).
        expect(requests).toBeLessThanOrEqual(IDLE_MS / HEARTBEAT_MS + 3);
        // Client and server share this process: a busy loop would burn the whole idle window's CPU.
        expect((used.user + used.system) / 1000).toBeLessThan(IDLE_MS / 4);
        expect(failures).toEqual([]);
      } finally {
        await client.close();
      }
    });
  }

  it("still polls in serverMonitoringMode 'poll'", async () => {
    const { client, beats, failures } = monitored(Client, server.uri, { serverMonitoringMode: 'poll' });
    await client.connect();
    try {
      await eventually(() => beats.length >= 3);
      expect(beats.every((b) => !b.awaited)).toBe(true);
      expect(beats[2]!.reply.topologyVersion).toBeDefined();
      expect(await client.db('hello').collection('poll').insertOne({ a: 1 })).toMatchObject({
        acknowledged: true,
      });
      expect(failures).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('streams with directConnection=true', async () => {
    const uri = `mongodb://127.0.0.1:${server.port}/?directConnection=true`;
    const { client, beats, failures } = monitored(Client, uri, { serverMonitoringMode: 'stream' });
    await client.connect();
    try {
      await eventually(() => beats.filter((b) => b.awaited).length >= 3);
      expect(await client.db('hello').collection('direct').countDocuments()).toBe(0);
      expect(failures).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('answers an awaitable hello after maxAwaitTimeMS, a stale one at once, and validates it', async () => {
    const client = new Client(server.uri, { serverMonitoringMode: 'poll' });
    await client.connect();
    try {
      const admin = client.db('admin');
      const first = await admin.command({ hello: 1 }, { useBigInt64: true });
      const tv = first.topologyVersion as { processId: unknown; counter: bigint };
      expect(typeof tv.counter).toBe('bigint'); // a Long on the wire, as in mongod
      const { Long, ObjectId } = bson; // the driver's own BSON classes
      const current = { processId: tv.processId, counter: Long.fromBigInt(tv.counter) };

      let started = Date.now();
      const waited = await admin.command({ hello: 1, topologyVersion: current, maxAwaitTimeMS: 400 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(380);
      expect(waited.isWritablePrimary).toBe(true);
      expect(String(waited.topologyVersion.processId)).toBe(String(tv.processId));

      // Another process's version (e.g. from before a restart): answered without waiting.
      started = Date.now();
      const stale = { processId: new ObjectId(), counter: Long.fromNumber(0) };
      await admin.command({ isMaster: 1, topologyVersion: stale, maxAwaitTimeMS: 5000 });
      expect(Date.now() - started).toBeLessThan(2000);

      const errors = await Promise.all(
        [
          { hello: 1, maxAwaitTimeMS: 100 },
          { hello: 1, topologyVersion: current },
          { hello: 1, topologyVersion: { ...current, counter: Long.fromNumber(5) }, maxAwaitTimeMS: 10 },
          { hello: 1, topologyVersion: current, maxAwaitTimeMS: -1 },
        ].map((cmd) => admin.command(cmd).catch((e: MongoServerError) => e.code)),
      );
      expect(errors).toEqual([31368, 31368, 31382, 31373]);
    } finally {
      await client.close();
    }
  });
});

describe('topologyVersion and the exhaust protocol on the wire', () => {
  it('is new per server start', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await startMongoServer({ port: 0, inMemory: true });
      const c = new drivers[0][1](s.uri);
      try {
        ids.push(String((await c.db('admin').command({ hello: 1 })).topologyVersion.processId));
      } finally {
        await c.close();
        await s.stop();
      }
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('streams moreToCome replies every maxAwaitTimeMS until the connection closes, and stops quickly', async () => {
    const server = await startMongoServer({ port: 0, inMemory: true });
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => {}); // ECONNRESET at stop()
    const framer = new MessageFramer();
    const replies: { at: number; flags: number; requestId: number; responseTo: number; body: Document }[] =
      [];
    socket.on('data', (chunk) => {
      for (const m of framer.push(chunk)) {
        replies.push({
          at: Date.now(),
          flags: m.readUInt32LE(16),
          requestId: m.readInt32LE(4),
          responseTo: m.readInt32LE(8),
          body: decodeMessage(m).command,
        });
      }
    });
    const send = (requestId: number, cmd: Document, flags = 0): void => {
      const msg = encodeOpMsg(0, serialize({ ...cmd, $db: 'admin' }), flags);
      msg.writeInt32LE(requestId, 4);
      socket.write(msg);
    };
    try {
      await new Promise((r) => socket.once('connect', r));
      send(1, { hello: 1 });
      await eventually(() => replies.length === 1);
      const tv = replies[0]!.body.topologyVersion;
      expect(replies[0]!.flags & FLAG_MORE_TO_COME).toBe(0);

      const sent = Date.now();
      send(2, { hello: 1, topologyVersion: tv, maxAwaitTimeMS: 300 }, FLAG_EXHAUST_ALLOWED);
      await eventually(() => replies.length >= 4, 5000);
      const streamed = replies.slice(1, 4);
      expect(streamed.every((r) => (r.flags & FLAG_MORE_TO_COME) !== 0)).toBe(true);
      expect(streamed.every((r) => r.body.ok === 1 && r.body.topologyVersion)).toBe(true);
      // Each reply answers the previous one (mongod's exhaust), starting with the request.
      expect(streamed.map((r) => r.responseTo)).toEqual([2, streamed[0]!.requestId, streamed[1]!.requestId]);
      expect(streamed[0]!.at - sent).toBeGreaterThanOrEqual(280);
      expect(streamed[1]!.at - streamed[0]!.at).toBeGreaterThanOrEqual(250);
      expect(streamed[2]!.at - streamed[1]!.at).toBeGreaterThanOrEqual(250);

      // Without maxAwaitTimeMS an exhaust hello is refused (mongod's 51756) and not streamed.
      const other = net.connect(server.port, '127.0.0.1');
      other.on('error', () => {});
      const otherFramer = new MessageFramer();
      const otherReplies: Buffer[] = [];
      other.on('data', (chunk) => otherReplies.push(...otherFramer.push(chunk)));
      await new Promise((r) => other.once('connect', r));
      const msg = encodeOpMsg(0, serialize({ hello: 1, $db: 'admin' }), FLAG_EXHAUST_ALLOWED);
      other.write(msg);
      await eventually(() => otherReplies.length === 1);
      expect(decodeMessage(otherReplies[0]!).command).toMatchObject({ ok: 0, code: 51756 });
      expect(otherReplies[0]!.readUInt32LE(16) & FLAG_MORE_TO_COME).toBe(0);
      other.destroy();

      // stop() does not wait for the pending awaitable hello.
      const closed = new Promise((r) => socket.once('close', r));
      const stopping = Date.now();
      await server.stop();
      await closed;
      expect(Date.now() - stopping).toBeLessThan(1000);
    } finally {
      socket.destroy();
      await server.stop();
    }
  });

  it('ends a pending awaitable hello at stop() instead of holding the server', async () => {
    const server = await startMongoServer({ port: 0, inMemory: true });
    const client = new drivers[0][1](server.uri, { serverMonitoringMode: 'poll' });
    await client.connect();
    try {
      const admin = client.db('admin');
      const { topologyVersion } = await admin.command({ hello: 1 });
      const pending = admin.command({ hello: 1, topologyVersion, maxAwaitTimeMS: 30_000 }).then(
        () => 'answered',
        () => 'failed',
      );
      await sleep(200);
      const started = Date.now();
      await server.stop();
      expect(await pending).toBe('failed'); // the connection is cut, as for every other client
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
