/**
 * Security test for "production refuses to run unsafe": each service entry really runs (tsx, as in
 * development) with NODE_ENV=production; config problems are one line each on stderr and exit 1,
 * no password reaches the output, env files are not read, and the dev servers refuse to start.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMongo, type TestMongo } from '../../src/testing';

const root = join(import.meta.dirname, '../../..');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const example = parseEnv(readFileSync(join(root, '.env_local.example'), 'utf8')) as Record<string, string>;

/** A password that must never be printed, and secrets strong enough for production. */
const MONGO_PASSWORD = 'Vx7qL2mZ9sK4tR8wN1cB6yH3jD5fG0pAeU';
const strongSecret = () => `S${Math.random().toString(36).slice(2)}Qk7Zp2Lx9Wm4Tb8Rv1Nc6Yh3Jd5Fg0s`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  problems: string[];
}

/** Runs node with `args` and exactly `env` (plus PATH), from `cwd`, until it exits (killed after 45 s). */
function runNode(args: string[], env: Record<string, string>, cwd = root): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const problems = stderr
        .split('\n')
        .filter((line) => /^(Refused in production|Invalid configuration): /.test(line));
      resolve({ code, stdout, stderr, problems });
    });
  });
}

/** Runs a TypeScript entry of the repository the way development does (tsx). */
function run(entry: string, env: Record<string, string>, options: { cwd?: string; args?: string[] } = {}) {
  return runNode(['--import', tsx, join(root, entry), ...(options.args ?? [])], env, options.cwd);
}

const productionExample = { ...example, NODE_ENV: 'production' };

describe('with the dev values of .env_local.example, production refuses to start', () => {
  it('web: one line per problem, exit code 1', async () => {
    const result = await run('web/src/main.ts', productionExample);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual(result.problems);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        'Refused in production: MONGO_DB has no credentials: a production database asks for a password or an authMechanism',
        'Refused in production: SESSION_SECRET is a value published in the repository',
        'Refused in production: OIDC_CLIENT_SECRET is a value published in the repository',
        "Refused in production: AZURE_STORAGE_CONNECTION_STRING is Azurite's development account",
        'Refused in production: AZURE_STORAGE_CONNECTION_STRING has an AccountKey published in the repository',
        'Refused in production: AZURE_STORAGE_CONNECTION_STRING uses http: production storage is reached over https',
        'Refused in production: OIDC_ISSUER must be an https URL on a public host (got "http://127.0.0.1:4400")',
        'Refused in production: WEB_BASE_URL must be an https URL on a public host (got "http://127.0.0.1:3000")',
        'Refused in production: PAYMENT_PROVIDER=dev is for development: it authorizes the public test card',
        'Refused in production: DEMO_SEED=true is for development: it writes the demo catalogue and production requests',
        'Refused in production: INTERNAL_PORT is required: without it the main port, which the ingress exposes, would serve readiness details and metrics',
        "Refused in production: TRACE_STORE=mongo is for development: it would write every span into the shop's database; production traces go to the collector (OTEL_EXPORTER_OTLP_ENDPOINT)",
      ]),
    );
    expect(new Set(result.problems).size).toBe(result.problems.length);
    for (const secret of [example.SESSION_SECRET!, example.OIDC_CLIENT_SECRET!, 'Eby8vdM02xNOcqFl'])
      expect(result.stderr).not.toContain(secret);
  });

  it.each(['factory', 'ordering'])(
    '%s: the local database without credentials and the missing internal port are refused',
    async (service) => {
      const result = await run(`${service}/src/main.ts`, productionExample);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        'Refused in production: MONGO_DB has no credentials: a production database asks for a password or an authMechanism',
        'Refused in production: INTERNAL_PORT is required: without it the main port, which the ingress exposes, would serve readiness details and metrics',
        "Refused in production: TRACE_STORE=mongo is for development: it would write every span into the shop's database; production traces go to the collector (OTEL_EXPORTER_OTLP_ENDPOINT)",
      ]);
    },
  );
});

describe('no password is ever printed', () => {
  it('a remote MONGO_DB without TLS is refused without showing its password', async () => {
    const result = await run('factory/src/main.ts', {
      ...productionExample,
      INTERNAL_PORT: '9464',
      TRACE_STORE: '',
      MONGO_DB: `mongodb://shop:${MONGO_PASSWORD}@db1.example.net:27017,db2.example.net:27017/azshop?replicaSet=rs0`,
    });
    expect(result.code).toBe(1);
    expect(result.problems).toEqual([
      'Refused in production: MONGO_DB does not use TLS (tls=true, or mongodb+srv://)',
    ]);
    expect(result.stderr + result.stdout).not.toContain(MONGO_PASSWORD);
  });

  it('an invalid MONGO_DB is named with its password as ***', async () => {
    const result = await run('ordering/src/main.ts', {
      ...productionExample,
      INTERNAL_PORT: '9464',
      TRACE_STORE: '',
      MONGO_DB: `postgres://shop:${MONGO_PASSWORD}@db.example.net/azshop`,
    });
    expect(result.code).toBe(1);
    expect(result.problems).toEqual([
      'Invalid configuration: MONGO_DB must match ^mongodb(\\+srv)?:// (got "postgres://shop:***@db.example.net/azshop")',
    ]);
    expect(result.stderr + result.stdout).not.toContain(MONGO_PASSWORD);
  });
});

describe('with proper production values', () => {
  let mongo: TestMongo;
  let mongoDb: string;
  let dir: string;

  beforeAll(async () => {
    mongo = await startTestMongo();
    // Credentials the dev Mongo server cannot check: a service past its config fails to connect, loudly.
    mongoDb = mongo.uri.replace('mongodb://', `mongodb://shop:${MONGO_PASSWORD}@`);
    dir = mkdtempSync(join(tmpdir(), 'prod-config-'));
  });
  afterAll(() => mongo?.stop());

  const factoryEnv = () => ({
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    MONGO_DB: mongoDb,
    FACTORY_PORT: '0',
    INTERNAL_PORT: '0',
  });

  it.each(['factory', 'ordering'])(
    '%s gets past its config (then fails to connect), printing no password',
    async (service) => {
      const result = await run(`${service}/src/main.ts`, { ...factoryEnv(), ORDERING_PORT: '0' });
      expect(result.problems).toEqual([]);
      expect(result.stderr).toMatch(/Authentication is not supported/);
      expect(result.code).not.toBe(0);
      expect(result.stderr + result.stdout).not.toContain(MONGO_PASSWORD);
    },
  );

  const webEnv = () => ({
    NODE_ENV: 'production',
    MONGO_DB: mongoDb,
    SESSION_SECRET: strongSecret(),
    OIDC_ISSUER: 'https://login.example.com',
    OIDC_CLIENT_ID: 'az-shop-web',
    OIDC_CLIENT_SECRET: strongSecret(),
    AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=https;AccountName=azshop;AccountKey=${strongSecret()}==;EndpointSuffix=core.windows.net`,
    WEB_BASE_URL: 'https://shop.example.com',
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: `sk_live_${strongSecret()}`,
    STRIPE_WEBHOOK_SECRET: `whsec_${strongSecret()}`,
    INTERNAL_PORT: '0',
  });

  it('web with Stripe and strong secrets gets past its config (then fails to connect), printing no secret', async () => {
    const env = webEnv();
    const result = await run('web/src/main.ts', env);
    expect(result.problems).toEqual([]);
    expect(result.stderr).toMatch(/Authentication is not supported/);
    expect(result.code).not.toBe(0);
    for (const secret of [
      MONGO_PASSWORD,
      env.SESSION_SECRET,
      env.STRIPE_SECRET_KEY,
      env.STRIPE_WEBHOOK_SECRET,
    ])
      expect(result.stderr + result.stdout).not.toContain(secret);
  });

  it('web refuses the dev payment provider and published Stripe secrets', async () => {
    const result = await run('web/src/main.ts', {
      ...webEnv(),
      PAYMENT_PROVIDER: 'dev',
      STRIPE_WEBHOOK_SECRET: 'whsec_stand_in_0123456789',
    });
    expect(result.code).toBe(1);
    expect(result.problems).toEqual([
      'Refused in production: STRIPE_WEBHOOK_SECRET is a value published in the repository',
      'Refused in production: PAYMENT_PROVIDER=dev is for development: it authorizes the public test card',
    ]);
  });

  it('an .env_local next to the service (and ENV_FILE) is not read in production', async () => {
    const envFile = join(dir, '.env_local');
    writeFileSync(envFile, 'FACTORY_CAPACITY=not-a-number\nMONGO_DB=postgres://from-the-file\n');
    const env = { ...factoryEnv(), ENV_FILE: envFile };
    const production = await run('factory/src/main.ts', env, { cwd: dir });
    expect(production.problems).toEqual([]);
    expect(production.stderr).toMatch(/Authentication is not supported/);

    // The same start in development reads the file: the bad values it holds are named.
    const development = await run('factory/src/main.ts', { ...env, NODE_ENV: 'development' }, { cwd: dir });
    expect(development.code).toBe(1);
    expect(development.problems).toEqual([
      expect.stringMatching(/^Invalid configuration: FACTORY_CAPACITY must be an integer/),
    ]);
  });
});

describe('the dev servers refuse to start in production', () => {
  it.each([
    ['the dev identity provider', 'emulators/identity/src/main.ts', []],
    ['the dev Mongo server', 'emulators/mongo/src/cli.ts', ['--inMemory', '--port', '0']],
  ])('%s', async (server, entry, args) => {
    const result = await run(entry, { NODE_ENV: 'production' }, { args });
    expect(result.code).toBe(1);
    expect(result.problems).toEqual([`Refused in production: ${server} is for development and tests only`]);
  });
});

describe('the local stack never starts the dev servers in production', () => {
  /** Evaluates `code` (an ES module body) in a plain node from the repository root. */
  const node = (code: string, env: Record<string, string>) =>
    runNode(['--input-type=module', '-e', code], env);
  const envFile = (nodeEnv: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'prod-stack-')), '.env');
    writeFileSync(file, `NODE_ENV=${nodeEnv}\nMONGO_DB=mongodb://127.0.0.1:27017/azshop?replicaSet=rs0\n`);
    return file;
  };
  const appNames =
    "const { apps } = await import('./pm2.config.js'); console.log(apps.map((app) => app.name).join(','));";

  it('pm2.config.js runs only the services when the env file says production', async () => {
    const production = await node(appNames, { ENV_FILE: envFile('production') });
    expect(production.stdout.trim()).toBe('web,factory,ordering');
    const development = await node(appNames, { ENV_FILE: envFile('development') });
    expect(development.stdout.trim()).toBe('mongo,blob,idp,web,factory,ordering');
  });

  it('pm2.config.js gives each service its own INTERNAL_PORT, from the env file or by default', async () => {
    const internalPorts =
      "const { apps } = await import('./pm2.config.js'); console.log(JSON.stringify(apps.map((app) => [app.name, app.env.INTERNAL_PORT])));";
    const defaults = await node(internalPorts, { ENV_FILE: envFile('production') });
    expect(JSON.parse(defaults.stdout)).toEqual([
      ['web', '3100'],
      ['factory', '9191'],
      ['ordering', '9190'],
    ]);
    const file = envFile('development');
    appendFileSync(file, 'WEB_INTERNAL_PORT=4100\nORDERING_INTERNAL_PORT=4190\n');
    // The dev servers get none (JSON writes their undefined as null).
    expect(JSON.parse((await node(internalPorts, { ENV_FILE: file })).stdout)).toEqual([
      ['mongo', null],
      ['blob', null],
      ['idp', null],
      ['web', '4100'],
      ['factory', '9191'],
      ['ordering', '4190'],
    ]);
  });

  it('npm start refuses production', async () => {
    const refuse = "const { refuseProduction } = await import('./workflows/start.mjs'); refuseProduction();";
    const production = await node(refuse, { ENV_FILE: envFile('production') });
    expect(production.code).toBe(1);
    expect(production.problems).toEqual([
      expect.stringMatching(/^Refused in production: npm start runs the dev stack/),
    ]);
    expect((await node(refuse, { ENV_FILE: envFile('development') })).code).toBe(0);
  });
});
