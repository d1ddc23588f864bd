import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningMongoServer, startMongoServer } from '../src/index.js';
import { drivers, sleep } from './helpers.js';

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('graceful stop and restart on the same port and dbPath', () => {
  // Regression: a graceful stop() used to close client sockets with a FIN. With writes in flight, a pool
  // connection's 'close' could wake the driver's polling monitor while the monitor's own socket was already
  // destroyed but not yet marked closed; the monitor wrote its hello into it and waited forever, so every
  // later operation failed with a server selection timeout after the restart (about 2 rounds in 3).
  it.each(drivers)('a %s client with writes in flight finds the restarted server', async (_, Client) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-emu-restart-'));
    tmpDirs.push(dir);
    let server: RunningMongoServer = await startMongoServer({ port: 0, dbPath: dir });
    const port = server.port;
    try {
      for (let round = 0; round < 5; round++) {
        const client = new Client(server.uri, { serverSelectionTimeoutMS: 3000 });
        let running = true;
        try {
          await client.connect();
          const c = client.db('restart').collection('writes');
          const writers = Array.from({ length: 4 }, async () => {
            while (running) await c.insertOne({ round }).catch(() => sleep(20));
          });
          // Past the driver's minHeartbeatFrequencyMS (500) since the last heartbeat, so the monitor's check
          // runs at once when a pool connection fails (inside the window described above).
          await sleep(700);
          await server.stop();
          server = await startMongoServer({ port, dbPath: dir });
          const started = Date.now();
          await c.insertOne({ round, after: true });
          running = false;
          await Promise.all(writers);
          expect(Date.now() - started).toBeLessThan(3000);
          expect(await c.countDocuments({ round, after: true })).toBe(1);
        } finally {
          running = false;
          await client.close();
        }
      }
    } finally {
      await server.stop();
    }
  });
});
