import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { Long, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoServer } from '../src/index.js';
import type { AnyDoc } from './helpers.js';

const tmpDirs: string[] = [];
function tmpDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('persistence', () => {
  it('keeps data, indexes, types, the change log and its counter across a restart', async () => {
    const dir = tmpDir('mongo-emu-p-');
    let server = await startMongoServer({ port: 0, dbPath: dir });
    let client = new MongoClient(server.uri);
    const c = client.db('p').collection<AnyDoc>('c');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertMany([
      { _id: 1, email: 'a', big: Long.fromString('9007199254740993') },
      { _id: 2, email: 'b' },
    ]);
    await c.updateOne({ _id: 2 }, { $set: { x: 1 } });
    await c.deleteOne({ _id: 1 });
    const before = await client.db('admin').command({ hello: 1 });
    await client.close();
    await server.stop();

    server = await startMongoServer({ port: 0, dbPath: dir });
    client = new MongoClient(server.uri);
    const c2 = client.db('p').collection<AnyDoc>('c');
    expect(await c2.find().toArray()).toEqual([{ _id: 2, email: 'b', x: 1 }]);
    await expect(c2.insertOne({ _id: 3, email: 'b' })).rejects.toMatchObject({ code: 11000 });
    await c2.insertOne({ _id: 4, big: Long.fromString('9007199254740993') });
    const raw = await c2.findOne({ _id: 4 }, { promoteLongs: false });
    expect(String(raw?.big)).toBe('9007199254740993');
    const after = await client.db('admin').command({ hello: 1 });
    expect(after.operationTime.greaterThan(before.operationTime)).toBe(true);
    // The retained log survived: a stream can start from before the restart.
    const cs = c2.watch([], { startAtOperationTime: before.operationTime });
    const first = await cs.next();
    expect(first.operationType).toBe('delete');
    await cs.close();
    await client.close();
    await server.stop();
  });

  it.each(['interval', 'never'] as const)('recovers writes acknowledged with fsync %s', async (fsync) => {
    const dir = tmpDir(`mongo-emu-${fsync}-`);
    let server = await startMongoServer({ port: 0, dbPath: dir, fsync });
    let client = new MongoClient(server.uri);
    await client
      .db('m')
      .collection<AnyDoc>('c')
      .insertMany([{ _id: 1 }, { _id: 2 }]);
    await client.close();
    await server.stop();
    server = await startMongoServer({ port: 0, dbPath: dir, fsync });
    client = new MongoClient(server.uri);
    expect(await client.db('m').collection('c').countDocuments()).toBe(2);
    await client.close();
    await server.stop();
  });

  it('refuses a data directory already used by another live process', async () => {
    const dir = tmpDir('mongo-emu-lock-');
    fs.writeFileSync(path.join(dir, 'mongod.lock'), String(process.ppid));
    await expect(startMongoServer({ port: 0, dbPath: dir })).rejects.toThrow(
      /in use by another mongo-emulator/,
    );
  });

  it('repairs a torn journal tail (truncates at the first bad record)', async () => {
    const dir = tmpDir('mongo-emu-torn-');
    let server = await startMongoServer({ port: 0, dbPath: dir });
    let client = new MongoClient(server.uri);
    await client
      .db('t')
      .collection<AnyDoc>('c')
      .insertMany([{ _id: 1 }, { _id: 2 }]);
    await client.close();
    // Simulate a crash: copy the files as they are while running, then stop.
    const journals = fs.readdirSync(dir).filter((f) => f.startsWith('journal-'));
    const crashCopy = tmpDir('mongo-emu-torn-copy-');
    for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(crashCopy, f));
    await server.stop();
    const last = journals.sort().at(-1)!;
    const file = path.join(crashCopy, last);
    const goodSize = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.from([0x40, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7]));
    server = await startMongoServer({ port: 0, dbPath: crashCopy });
    client = new MongoClient(server.uri);
    expect(await client.db('t').collection('c').countDocuments()).toBe(2);
    expect(fs.existsSync(file) ? fs.statSync(file).size : goodSize).toBeLessThanOrEqual(goodSize);
    await client.close();
    await server.stop();
  });
});

describe('crash recovery (SIGKILL during writes)', () => {
  let cli: string;
  beforeAll(async () => {
    const out = tmpDir('mongo-emu-build-');
    cli = path.join(out, 'cli.mjs');
    await build({
      entryPoints: [path.join(import.meta.dirname, '../src/cli.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: cli,
      banner: {
        js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
  });

  function startChild(dir: string): Promise<{ child: ChildProcess; port: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, '--port', '0', '--dbpath', dir, '--logLevel', 'error'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /ready on [\d.]+:(\d+)/.exec(buf);
        if (m) resolve({ child, port: Number(m[1]) });
      });
      child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    });
  }

  it('loses no acknowledged write over 20 random kills', async () => {
    const dir = tmpDir('mongo-emu-crash-');
    const acked = new Set<number>();
    let attemptedMax = -1;
    let ackedIncs = 0;
    let attemptedIncs = 0;
    for (let round = 0; round < 20; round++) {
      const { child, port } = await startChild(dir);
      const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
        serverSelectionTimeoutMS: 1000,
        retryWrites: false,
        maxPoolSize: 8,
      });
      await client.connect();
      const c = client.db('crash').collection<{ _id: number; n?: number }>('c');
      // Everything acknowledged in earlier rounds must be there.
      const present = new Set(
        (await c.find({ _id: { $gte: 0 } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id),
      );
      for (const id of acked) expect(present.has(id)).toBe(true);
      for (const id of present) expect(id).toBeLessThanOrEqual(attemptedMax);
      const counter = (await c.findOne({ _id: -1 }))?.n ?? 0;
      expect(counter).toBeGreaterThanOrEqual(ackedIncs);
      expect(counter).toBeLessThanOrEqual(attemptedIncs);
      ackedIncs = counter; // an attempted-but-unacknowledged increment may or may not have landed
      attemptedIncs = counter;

      let stop = false;
      const writer = async (): Promise<void> => {
        while (!stop) {
          const id = ++attemptedMax;
          try {
            if (id % 5 === 0) {
              attemptedIncs++;
              await c.updateOne({ _id: -1 }, { $inc: { n: 1 } }, { upsert: true });
              ackedIncs++;
            }
            await c.insertOne({ _id: id });
            acked.add(id);
          } catch {
            return;
          }
        }
      };
      const writers = Array.from({ length: 4 }, writer);
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 200));
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      await client.close(true).catch(() => {});
      await new Promise((r) =>
        child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r),
      );
    }
    expect(acked.size).toBeGreaterThan(100);
    const { child, port } = await startChild(dir);
    const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`);
    const ids = new Set(
      (
        await client
          .db('crash')
          .collection<{ _id: number }>('c')
          .find({ _id: { $gte: 0 } })
          .toArray()
      ).map((d) => d._id),
    );
    for (const id of acked) expect(ids.has(id)).toBe(true);
    await client.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  });
});
