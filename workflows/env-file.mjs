// Reads the env file every local process shares (.env_local, or ENV_FILE for a separate stack such as
// the end-to-end tests'). Only node built-ins here: npm start uses this before dependencies exist.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

export const root = fileURLToPath(new URL('..', import.meta.url));

export function envFilePath(env = process.env) {
  const file = env.ENV_FILE ?? '.env_local';
  return isAbsolute(file) ? file : join(root, file);
}

/** Creates .env_local from the example when absent; returns true if it did. */
export function ensureEnvFile(path = envFilePath()) {
  if (existsSync(path)) return false;
  copyFileSync(join(root, '.env_local.example'), path);
  return true;
}

/** The file's values with the real environment winning, like common's loadConfig. */
export function readEnv(path = envFilePath(), env = process.env) {
  const fromFile = existsSync(path) ? parseEnv(readFileSync(path, 'utf8')) : {};
  const merged = { ...fromFile };
  for (const key of Object.keys(fromFile)) if (env[key] !== undefined) merged[key] = env[key];
  return merged;
}

/** True when MONGO_DB names the local replica set that pm2 should run (not Atlas, Cosmos or another set). */
export function usesLocalMongo(vars) {
  const url = new URL(vars.MONGO_DB.replace(/^mongodb(\+srv)?:\/\//, 'http://'));
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return local && Number(url.port || 27017) === Number(vars.MONGO_PORT ?? 27017);
}

/**
 * Each service's internal port (health, readiness details, metrics), one per service since they all
 * read one env file: pm2 hands each its own as INTERNAL_PORT, and the stack probes them.
 */
export function internalPorts(vars) {
  return {
    web: vars.WEB_INTERNAL_PORT ?? '3100',
    factory: vars.FACTORY_INTERNAL_PORT ?? '9191',
    ordering: vars.ORDERING_INTERNAL_PORT ?? '9190',
  };
}
