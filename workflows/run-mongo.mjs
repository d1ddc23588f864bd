#!/usr/bin/env node
// The pm2 `mongo` app: a real `mongod --replSet rs0` when one is on the PATH (initiating the set on
// first start), the project's dev Mongo server (emulators/mongo) otherwise (always with MONGO_FLAVOUR=cosmos,
// then with --cosmos). Either way it listens on
// MONGO_PORT with its data in MONGO_DATA_DIR, so the services' connection string is the same.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readEnv, root } from './env-file.mjs';

const vars = readEnv();
const port = vars.MONGO_PORT ?? '27017';
const dbPath = join(root, vars.MONGO_DATA_DIR ?? '__mongo_data__');
mkdirSync(dbPath, { recursive: true });

// MONGO_FLAVOUR=cosmos: the dev server behaves like Cosmos DB (mongod can not), so the services run in
// cosmos mode against it (docs/processor.md, "Cosmos mode").
const cosmos = vars.MONGO_FLAVOUR === 'cosmos';
const hasMongod = !cosmos && spawnSync('mongod', ['--version'], { stdio: 'ignore' }).status === 0;
const child = hasMongod
  ? spawn('mongod', ['--replSet', 'rs0', '--port', port, '--bind_ip', '127.0.0.1', '--dbpath', dbPath], {
      stdio: 'inherit',
    })
  : spawn(
      process.execPath,
      [
        join(root, 'emulators/mongo/dist/cli.js'),
        ...['--port', port, '--dbpath', dbPath, '--replSet', 'rs0'],
        ...(cosmos ? ['--cosmos'] : []),
      ],
      { stdio: 'inherit' },
    );

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

if (hasMongod) await initiateReplicaSet();

/** A fresh mongod is not a replica set until initiated; do it once, idempotently. */
async function initiateReplicaSet() {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
    serverSelectionTimeoutMS: 30_000,
  });
  try {
    const admin = client.db('admin');
    const status = await admin.command({ replSetGetStatus: 1 }).catch((error) => error);
    if (status?.code === 94 /* NotYetInitialized */) {
      await admin.command({
        replSetInitiate: { _id: 'rs0', members: [{ _id: 0, host: `127.0.0.1:${port}` }] },
      });
      console.log('replica set rs0 initiated');
    }
  } finally {
    await client.close();
  }
}
