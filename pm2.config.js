// pm2 runs the whole app locally: the dependencies (Mongo replica set, Azurite, the dev OIDC
// provider) and the three services, all reading one env file (.env_local, or ENV_FILE).
// Start it through `npm start` (which builds first and waits for readiness), not `pm2 start` directly.
import { join } from 'node:path';
import { envFilePath, internalPorts, readEnv, root, usesLocalMongo } from './workflows/env-file.mjs';

const envFile = envFilePath();
const vars = readEnv(envFile);
const nodeEnv = vars.NODE_ENV ?? process.env.NODE_ENV ?? 'development';
const shared = { ENV_FILE: envFile, NODE_ENV: nodeEnv };

const app = (name, script, args = [], extra = {}) => ({
  name,
  script,
  args,
  cwd: root,
  env: { ...shared, ...extra },
  autorestart: true,
  max_restarts: 10,
  min_uptime: 2000,
  restart_delay: 1000,
  kill_timeout: 10000,
  merge_logs: true,
  time: true,
});

const devServers = [
  app('blob', join(root, 'node_modules/azurite/dist/src/blob/main.js'), [
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    vars.BLOB_PORT ?? '10000',
    '--location',
    join(root, vars.BLOB_DATA_DIR ?? '__blobstorage__'),
    '--skipApiVersionCheck',
    '--loose',
    '--disableTelemetry',
  ]),
  app('idp', join(root, 'emulators/identity/dist/main.js')),
];
// Each service's INTERNAL_PORT (health, readiness details, metrics) is its own: the env file is shared.
const internal = internalPorts(vars);
// `--import telemetry.js` starts tracing before the service loads (a no-op unless the env file or the
// environment turns it on: OTEL_* or TRACE_STORE, docs/observability.md). SERVICE names its spans, as
// in the container: under pm2 the started script is pm2's own, not <service>/dist/main.js.
const services = ['web', 'factory', 'ordering'].map((name) => ({
  ...app(name, join(root, `${name}/dist/main.js`), [], { INTERNAL_PORT: internal[name], SERVICE: name }),
  node_args: ['--import', join(root, `${name}/dist/telemetry.js`)],
}));

// A local replica set only when MONGO_DB points at it; Atlas, Cosmos or another set need nothing here.
if (usesLocalMongo(vars)) devServers.unshift(app('mongo', join(root, 'workflows/run-mongo.mjs')));

// Production never starts the dev servers (Azurite, the dev OIDC provider, the dev Mongo server):
// their keys, users and data are public. The services then read only the real environment.
const apps = nodeEnv === 'production' ? services : [...devServers, ...services];

// Named export: pm2 loads this file with require(), which sees an ES module's named exports.
export { apps };
