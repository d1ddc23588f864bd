// Brings the local stack up under pm2 and waits until every app is ready; takes it down again.
// Used by `npm start` (the developer's stack, .env_local, .pm2/) and by the end-to-end tests (their
// own env file, ports and PM2_HOME, so they never touch the developer's running stack).
import { join } from 'node:path';
import { envFilePath, internalPorts, readEnv, root, usesLocalMongo } from './env-file.mjs';
import { pm2, pm2Apps } from './pm2.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function httpOk(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function httpAnswers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

async function mongoAnswers(uri) {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 2_000, connectTimeoutMS: 2_000 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}

/** Creates the image container; idempotent, so every start may call it. */
async function ensureBlobContainer(vars) {
  const { BlobServiceClient } = await import('@azure/storage-blob');
  const service = BlobServiceClient.fromConnectionString(vars.AZURE_STORAGE_CONNECTION_STRING);
  await service.getContainerClient(vars.BLOB_CONTAINER ?? 'az-shop-images').createIfNotExists();
}

/** How to tell each app is ready, in start order. */
export function readinessProbes(vars) {
  const host = vars.HOST ?? '127.0.0.1';
  // The services' readiness on their internal ports, as Kubernetes probes it.
  const internal = internalPorts(vars);
  const probes = [
    { name: 'blob', ready: () => httpAnswers(`http://127.0.0.1:${vars.BLOB_PORT ?? 10000}/`) },
    { name: 'idp', ready: () => httpOk(`${vars.OIDC_ISSUER}/.well-known/openid-configuration`) },
    ...['web', 'factory', 'ordering'].map((name) => ({
      name,
      ready: () => httpOk(`http://${host}:${internal[name]}/readyz`),
    })),
  ];
  probes.unshift({ name: 'mongo', ready: () => mongoAnswers(vars.MONGO_DB) });
  return probes;
}

function lastLogLines(name, env) {
  const result = pm2(['logs', name, '--nostream', '--lines', '15', '--raw'], { env, stdio: 'pipe' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

/**
 * Polls one app's probe until it answers; fails with the app's last log lines when pm2 gave up on it
 * (errored, stopped, restarting in a loop) or the deadline passes.
 */
export async function waitUntilReady(probe, { env = process.env, deadline }) {
  const restartsBefore = pm2Apps(env).find((a) => a.name === probe.name)?.restarts ?? 0;
  for (;;) {
    if (await probe.ready()) return;
    const app = pm2Apps(env).find((a) => a.name === probe.name);
    if (
      (app && (app.status === 'errored' || app.status === 'stopped' || app.restarts >= restartsBefore + 3)) ||
      Date.now() > deadline
    ) {
      throw new Error(
        `${probe.name} did not become ready (${app?.status ?? 'unknown'}, ${app?.restarts ?? 0} restarts). Last log lines:\n${lastLogLines(probe.name, env)}`,
      );
    }
    await sleep(250);
  }
}

/**
 * Starts every app (pm2 `startOrReload` keeps a running stack and reloads changed code), then waits
 * for each probe in turn, printing one progress line per app. Fails with the app's last log lines.
 */
export async function up({ env = process.env, timeoutMs = 120_000, log = console.log } = {}) {
  const vars = readEnv(envFilePath(env), env);
  const result = pm2(['startOrReload', join(root, 'pm2.config.js'), '--update-env'], { env, stdio: 'pipe' });
  if (result.status !== 0) throw new Error(`pm2 could not start the apps:\n${result.stderr}`);
  if (!usesLocalMongo(vars))
    log(`  · mongo     external (${new URL(vars.MONGO_DB.replace(/^mongodb(\+srv)?:/, 'http:')).host})`);

  const deadline = Date.now() + timeoutMs;
  for (const probe of readinessProbes(vars)) {
    const started = Date.now();
    await waitUntilReady(probe, { env, deadline });
    if (probe.name === 'blob') await ensureBlobContainer(vars);
    log(`  ✓ ${probe.name.padEnd(9)} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return vars;
}

/** Stops every app and the pm2 daemon of this PM2_HOME. */
export function down({ env = process.env } = {}) {
  pm2(['kill'], { env, stdio: 'pipe' });
}
