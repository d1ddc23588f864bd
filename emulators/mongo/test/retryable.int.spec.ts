import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ClientSession, type Document, MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningMongoServer, startMongoServer } from '../src/index.js';
import { type AnyDoc, eventually } from './helpers.js';

// mongod keeps (lsid, txnNumber) → result durably (config.transactions): a retryable write re-sent after a
// restart or failover answers its first result instead of being applied twice. The client (and so the lsid of
// its session) stays the same across the restart, like a driver retrying after a network error.

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-emu-retry-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * The data directory as a crash would leave it (journal not folded into a snapshot, lock file gone).
 * The server runs meanwhile: a snapshot it is writing (`*.tmp`, then renamed) may vanish under the
 * copy, which then starts again.
 */
function copyAsCrashed(from: string): string {
  const to = tmpDir();
  for (let attempt = 1; ; attempt++) {
    try {
      fs.cpSync(from, to, { recursive: true });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 5) throw error;
      fs.rmSync(to, { recursive: true, force: true });
    }
  }
  fs.rmSync(path.join(to, 'mongod.lock'), { force: true });
  return to;
}

function lastJournal(dir: string): string {
  const files = fs.readdirSync(dir).filter((f) => /^journal-\d+\.log$/.test(f));
  files.sort();
  return path.join(dir, files[files.length - 1]!);
}

interface Harness {
  client: MongoClient;
  session: ClientSession;
  server: RunningMongoServer;
  port: number;
  /** Runs a raw command in the session (the driver sets lsid; txnNumber is ours). */
  run(cmd: Document): Promise<Document>;
  restart(dbPath: string, before?: () => void): Promise<void>;
  close(): Promise<void>;
}

async function harness(dir: string): Promise<Harness> {
  const server = await startMongoServer({ port: 0, dbPath: dir });
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000, retryWrites: true });
  await client.connect();
  const session = client.startSession();
  const h: Harness = {
    client,
    session,
    server,
    port: server.port,
    run: (cmd) => client.db('r').command(cmd, { session }),
    async restart(dbPath, before) {
      await h.server.stop();
      before?.();
      h.server = await startMongoServer({ port: h.port, dbPath });
      // The client reconnects on its own; wait until it has (a command on a reset socket is not retried).
      await eventually(async () => {
        try {
          await client.db('admin').command({ ping: 1 });
          return true;
        } catch {
          return false;
        }
      });
    },
    async close() {
      await session.endSession().catch(() => {});
      await client.close();
      await h.server.stop();
    },
  };
  return h;
}

const count = (h: Harness, filter: Document = {}): Promise<number> =>
  h.client.db('r').collection<AnyDoc>('c').countDocuments(filter);

const strip = ({ $clusterTime, operationTime, ...rest }: Document): Document => {
  void $clusterTime;
  void operationTime;
  return rest;
};

describe('retryable writes survive a restart', () => {
  it.each([
    ['a clean stop (snapshot)', false],
    ['a crash (journal replay)', true],
  ] as const)(
    'insert, update $inc, findAndModify and delete re-sent after %s are not applied twice',
    async (_, crash) => {
      const dir = tmpDir();
      const h = await harness(dir);
      try {
        const insert = {
          insert: 'c',
          documents: [
            { _id: 1, n: 0 },
            { _id: 2, n: 0 },
          ],
          txnNumber: 1,
        };
        const update = { update: 'c', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }], txnNumber: 2 };
        const fam = {
          findAndModify: 'c',
          query: { _id: 2 },
          update: { $inc: { n: 10 } },
          new: true,
          txnNumber: 3,
        };
        const firstInsert = await h.run(insert);
        const firstUpdate = await h.run(update);
        const firstFam = await h.run(fam);
        expect(firstInsert).toMatchObject({ n: 2, ok: 1 });
        expect(firstUpdate).toMatchObject({ n: 1, nModified: 1 });
        expect(firstFam.value).toEqual({ _id: 2, n: 10 });

        let dbPath = dir;
        if (crash) {
          dbPath = copyAsCrashed(dir);
          await h.restart(dbPath);
        } else await h.restart(dir);

        // The latest record of the session answers the same reply, nothing is written again.
        expect(strip(await h.run(fam))).toEqual(strip(firstFam));
        expect(await h.client.db('r').collection<AnyDoc>('c').findOne({ _id: 2 })).toEqual({ _id: 2, n: 10 });
        // Older txnNumbers of the session are too old, as in mongod (one record per session).
        await expect(h.run(update)).rejects.toMatchObject({ codeName: 'TransactionTooOld' });
        expect(await h.client.db('r').collection<AnyDoc>('c').findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
        expect(await count(h)).toBe(2);

        // A new txnNumber applies normally, and is deduplicated across the next restart too.
        const upd2 = { ...update, txnNumber: 4 };
        expect(await h.run(upd2)).toMatchObject({ n: 1, nModified: 1 });
        const ins2 = { insert: 'c', documents: [{ _id: 3 }], txnNumber: 5 };
        const firstIns2 = await h.run(ins2);
        await h.restart(dbPath);
        expect(strip(await h.run(ins2))).toEqual(strip(firstIns2));
        expect(await count(h)).toBe(3);
        expect(await h.client.db('r').collection<AnyDoc>('c').findOne({ _id: 1 })).toEqual({ _id: 1, n: 2 });

        // update $inc alone as the last write of the session, then a restart.
        const upd3 = { ...update, txnNumber: 6 };
        const firstUpd3 = await h.run(upd3);
        if (crash) {
          dbPath = copyAsCrashed(dbPath);
          await h.restart(dbPath);
        } else await h.restart(dbPath);
        expect(strip(await h.run(upd3))).toEqual(strip(firstUpd3));
        expect(await h.client.db('r').collection<AnyDoc>('c').findOne({ _id: 1 })).toEqual({ _id: 1, n: 3 });

        // delete, and an insert whose duplicate-key error is the recorded outcome.
        const del = { delete: 'c', deletes: [{ q: { _id: 3 }, limit: 1 }], txnNumber: 7 };
        expect(await h.run(del)).toMatchObject({ n: 1 });
        await h.restart(dbPath);
        expect(await h.run(del)).toMatchObject({ n: 1 });
        const dup = { insert: 'c', documents: [{ _id: 1 }], txnNumber: 8 };
        const firstDup = await h.run(dup);
        expect(firstDup.writeErrors?.[0]?.code).toBe(11000);
        await h.restart(dbPath);
        expect(strip(await h.run(dup))).toEqual(strip(firstDup));
        expect(await count(h)).toBe(2);
      } finally {
        await h.close();
      }
    },
  );

  it('a write that changed nothing is recorded too; a torn journal tail drops the write and its record together', async () => {
    const dir = tmpDir();
    const h = await harness(dir);
    try {
      // No match: the record is journaled on its own, so the retry after a restart still answers n: 0
      // even though a matching document exists by then.
      const noop = { update: 'c', updates: [{ q: { _id: 9 }, u: { $inc: { n: 1 } } }], txnNumber: 1 };
      expect(await h.run(noop)).toMatchObject({ n: 0, nModified: 0 });
      await h.client.db('r').collection<AnyDoc>('c').insertOne({ _id: 9, n: 0 });
      const crashed = copyAsCrashed(dir);
      await h.restart(crashed);
      expect(await h.run(noop)).toMatchObject({ n: 0, nModified: 0 });
      expect(await h.client.db('r').collection<AnyDoc>('c').findOne({ _id: 9 })).toEqual({ _id: 9, n: 0 });

      // A three-document insert is one journal group whose last record carries the retry record: cut the
      // tail and both are gone, so the retry applies the insert (once).
      const insert = { insert: 'c', documents: [{ _id: 10 }, { _id: 11 }, { _id: 12 }], txnNumber: 2 };
      expect(await h.run(insert)).toMatchObject({ n: 3 });
      const torn = copyAsCrashed(crashed);
      await h.restart(torn, () => {
        const file = lastJournal(torn);
        fs.truncateSync(file, fs.statSync(file).size - 3);
      });
      expect(await count(h, { _id: { $gte: 10 } })).toBe(0);
      expect(await h.run(insert)).toMatchObject({ n: 3 });
      expect(await h.run(insert)).toMatchObject({ n: 3 });
      expect(await count(h, { _id: { $gte: 10 } })).toBe(3);
    } finally {
      await h.close();
    }
  });

  it('the driver with retryWrites and a session: the same txnNumber re-sent after a restart is answered, not re-applied', async () => {
    const dir = tmpDir();
    const h = await harness(dir);
    try {
      const c = h.client.db('r').collection<AnyDoc>('d');
      // The driver numbers these writes itself (retryWrites: true + an explicit session).
      await c.insertOne({ _id: 'a', n: 0 }, { session: h.session });
      await c.updateOne({ _id: 'a' }, { $inc: { n: 1 } }, { session: h.session });
      const txnNumber = h.session.serverSession?.txnNumber;
      expect(txnNumber).toBeGreaterThan(0);
      await h.restart(dir);
      // The same statement with the same (lsid, txnNumber), as the driver would re-send it.
      const again = await h.run({
        update: 'd',
        updates: [{ q: { _id: 'a' }, u: { $inc: { n: 1 } } }],
        txnNumber,
      });
      expect(again).toMatchObject({ n: 1, nModified: 1 });
      expect((await c.findOne({ _id: 'a' }))?.n).toBe(1);
      await c.updateOne({ _id: 'a' }, { $inc: { n: 1 } }, { session: h.session });
      expect((await c.findOne({ _id: 'a' }))?.n).toBe(2);
    } finally {
      await h.close();
    }
  });
});
