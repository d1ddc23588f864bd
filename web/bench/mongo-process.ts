import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { freePort } from '../test/azurite';

const MONGO_CLI = fileURLToPath(new URL('../../emulators/mongo/src/cli.ts', import.meta.url));

/**
 * The dev Mongo server in a process of its own, so its work does not count as the web app's (in the
 * tests it shares their process). `startTestMongo` uses it through MONGO_TEST_URI, which also lets
 * a bench run against a real mongod (then nothing is started here).
 */
export async function startMongoProcess(): Promise<ChildProcess | undefined> {
  if (process.env.MONGO_TEST_URI) return undefined;
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MONGO_CLI, '--port', String(port), '--inMemory', '--logLevel', 'error'],
    // A bench may run as production (React's build); the dev server refuses to start as one.
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } },
  );
  const uri = `mongodb://127.0.0.1:${port}/?replicaSet=rs0`;
  for (let attempt = 0; attempt < 200; attempt++) {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500 });
    try {
      await client.db('admin').command({ ping: 1 });
      process.env.MONGO_TEST_URI = uri;
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.close();
    }
  }
  child.kill('SIGTERM');
  throw new Error('the dev Mongo server did not start');
}
