import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

export const root = join(import.meta.dirname, '../..');
/** Where a test stack keeps its env file, pm2 daemon and data, inside the checkout it runs from. */
const stackDirOf = (stackRoot: string) => join(stackRoot, '__test_data__/e2e');
const envFileOf = (stackRoot: string) => join(stackDirOf(stackRoot), '.env_e2e');
/** The environment that runs a test stack from `stackRoot`: its env file and its own pm2 daemon. */
export const testStackEnv = (stackRoot: string) => ({
  ...process.env,
  ENV_FILE: envFileOf(stackRoot),
  PM2_HOME: join(stackDirOf(stackRoot), 'pm2'),
});

export const e2eDir = stackDirOf(root);
export const e2eEnvFile = envFileOf(root);
/** The end-to-end stack's own pm2 daemon: the developer's running stack (.pm2/) is never touched. */
export const e2eEnv = testStackEnv(root);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Writes the stack's env file: the example's values with free ports and throw-away data dirs.
 * `stackRoot` is the checkout the stack runs from (another one for npm run dev's tests).
 */
export async function writeE2eEnv(stackRoot = root): Promise<Record<string, string>> {
  rmSync(stackDirOf(stackRoot), { recursive: true, force: true });
  mkdirSync(stackDirOf(stackRoot), { recursive: true });
  const [mongo, blob, idp, web, factory, ordering, webInternal, factoryInternal, orderingInternal] =
    await Promise.all(Array.from({ length: 9 }, freePort));
  const example = parseEnv(readFileSync(join(root, '.env_local.example'), 'utf8')) as Record<string, string>;
  const vars: Record<string, string> = {
    ...example,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    MONGO_DB: `mongodb://127.0.0.1:${mongo}/azshop_e2e?replicaSet=rs0`,
    MONGO_PORT: String(mongo),
    MONGO_DATA_DIR: '__test_data__/e2e/mongo',
    BLOB_PORT: String(blob),
    BLOB_DATA_DIR: '__test_data__/e2e/blob',
    AZURE_STORAGE_CONNECTION_STRING: example.AZURE_STORAGE_CONNECTION_STRING!.replace(':10000/', `:${blob}/`),
    IDP_PORT: String(idp),
    OIDC_ISSUER: `http://127.0.0.1:${idp}`,
    OIDC_REDIRECT_URIS: `http://127.0.0.1:${web}/auth/callback`,
    WEB_PORT: String(web),
    WEB_BASE_URL: `http://127.0.0.1:${web}`,
    FACTORY_PORT: String(factory),
    ORDERING_PORT: String(ordering),
    WEB_INTERNAL_PORT: String(webInternal),
    FACTORY_INTERNAL_PORT: String(factoryInternal),
    ORDERING_INTERNAL_PORT: String(orderingInternal),
    // Seconds, not minutes: the pipeline runs end to end within a test's time.
    FACTORY_SECONDS_PER_UNIT: '0.1',
    // Long enough for the shopper's page to show each stage before the next (the live timeline test).
    PICKING_SECONDS: '1',
    DELIVERY_SECONDS: '1',
  };
  writeFileSync(
    envFileOf(stackRoot),
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  return vars;
}

export function readE2eEnv(): Record<string, string> {
  return parseEnv(readFileSync(e2eEnvFile, 'utf8')) as Record<string, string>;
}
