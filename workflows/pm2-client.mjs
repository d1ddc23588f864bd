// A connection to the project's pm2 daemon that `npm run dev` keeps open: a restart through it skips
// starting pm2's CLI, half a second or more of every saved server change on a loaded machine.
import { pm2Env } from './pm2.mjs';

/**
 * Connects to the running daemon (PM2_HOME as `pm2.mjs` sets it; the stack is started already).
 * @returns {Promise<{ restart(apps: string[]): Promise<void>, disconnect(): void }>}
 */
export async function connectPm2(env = process.env) {
  // pm2 reads its home from the environment when it is loaded.
  const { PM2_HOME, PM2_DISCRETE_MODE } = pm2Env(env);
  Object.assign(process.env, { PM2_HOME, PM2_DISCRETE_MODE });
  const { default: pm2 } = await import('pm2');
  await new Promise((resolve, reject) => pm2.connect((error) => (error ? reject(error) : resolve())));
  const restartOne = (app) =>
    new Promise((resolve, reject) =>
      pm2.restart(app, (error) =>
        error ? reject(new Error(`pm2 could not restart ${app}: ${error.message ?? error}`)) : resolve(),
      ),
    );
  return {
    async restart(apps) {
      await Promise.all(apps.map(restartOne));
    },
    disconnect: () => pm2.disconnect(),
  };
}
