#!/usr/bin/env node
// `npm start`: everything a fresh clone needs, then the whole app under pm2, ready.
// Only node built-ins are imported statically: dependencies may not be installed yet.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureEnvFile, envFilePath, readEnv, root } from './env-file.mjs';

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

export function installIfMissing() {
  if (existsSync(join(root, 'node_modules/.package-lock.json'))) return;
  console.log('Installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** `npm start` runs the dev stack, dev servers included: production runs the built services or the images. */
export function refuseProduction() {
  const nodeEnv = readEnv().NODE_ENV ?? process.env.NODE_ENV;
  if (nodeEnv !== 'production') return;
  console.error(
    'Refused in production: npm start runs the dev stack with its dev servers; run the services (node <service>/dist/main.js) or their images with the real environment',
  );
  process.exit(1);
}

/** What a fresh clone needs before anything runs: dependencies, an env file, and not production. */
export function prepare() {
  installIfMissing();
  if (ensureEnvFile()) console.log(`Created ${envFilePath()} from .env_local.example`);
  refuseProduction();
}

/**
 * Brings the stack up under pm2 and waits until it is ready; on failure says what to look at and
 * exits, after `beforeExit` (npm run dev frees its esbuild contexts there).
 */
export async function startStack({ beforeExit = async () => {} } = {}) {
  console.log('Starting under pm2…');
  const { up } = await import('./stack.mjs');
  try {
    return await up();
  } catch (error) {
    console.error(
      `\n${error.message}\n\nThe apps are left running for inspection: npm run status, npm run logs, npm stop.`,
    );
    await beforeExit();
    process.exit(1);
  }
}

/** Where the shop is and the commands that act on the running stack. */
export function runningMessage(vars) {
  return `
az-shop is running: ${vars.WEB_BASE_URL ?? `http://127.0.0.1:${vars.WEB_PORT ?? 3000}`}
  npm run logs     follow every app's logs (npm run logs -- web for one)
  npm run status   pm2's table of apps
  npm stop         stop everything
  npm run reset    stop and wipe local data (${vars.MONGO_DATA_DIR ?? '__mongo_data__'}, ${vars.BLOB_DATA_DIR ?? '__blobstorage__'})`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  prepare();
  console.log('Building…');
  run(process.execPath, [join(root, 'workflows/build.mjs')]);
  console.log(runningMessage(await startStack()));
}
