#!/usr/bin/env node
// Runs the project's own pm2 with PM2_HOME inside the project, so it never touches a global pm2.
// `node workflows/pm2.mjs <pm2 args>`; npm scripts: stop, status, logs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './env-file.mjs';

export function pm2Env(env = process.env) {
  return { ...env, PM2_HOME: env.PM2_HOME ?? join(root, '.pm2'), PM2_DISCRETE_MODE: '1' };
}

export function pm2(args, { env = process.env, stdio = 'inherit' } = {}) {
  const bin = join(root, 'node_modules/pm2/bin/pm2');
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env: pm2Env(env),
    stdio,
    encoding: 'utf8',
  });
}

/** The apps pm2 knows, with their status (empty when its daemon is not running). */
export function pm2Apps(env = process.env) {
  const result = pm2(['jlist'], { env, stdio: 'pipe' });
  try {
    return JSON.parse(result.stdout).map((p) => ({
      name: p.name,
      status: p.pm2_env.status,
      restarts: p.pm2_env.restart_time,
    }));
  } catch {
    return [];
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, ...rest] = process.argv.slice(2);
  const args = {
    stop: ['kill'],
    status: ['status'],
    logs: ['logs', ...rest],
  }[command] ?? [command, ...rest];
  process.exit(pm2(args).status ?? 1);
}
