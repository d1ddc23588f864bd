import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, checkConfig, findEnvFile, parseConfig, readEnvFile } from '../../src/config';
import { baseConfigProperties } from '../../src/config/base-config';

const schema = Type.Object({ ...baseConfigProperties, PORT: Type.Integer({ default: 9091, minimum: 1 }) });

describe('parseConfig', () => {
  it('applies defaults and converts numbers from text', () => {
    const config = parseConfig(schema, { MONGO_DB: 'mongodb://127.0.0.1:27017/azshop', PORT: '8080' });
    expect(config).toMatchObject({
      PORT: 8080,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
    });
  });

  it('uses the default when a variable is empty', () => {
    expect(parseConfig(schema, { MONGO_DB: 'mongodb://h/db', PORT: '' }).PORT).toBe(9091);
  });

  it('names every missing and invalid variable at once', () => {
    const error = (() => {
      try {
        parseConfig(schema, { PORT: 'eighty', LOG_LEVEL: 'loud' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.find((p) => p.startsWith('MONGO_DB'))).toBe('MONGO_DB is missing');
    expect(problems.some((p) => p.startsWith('PORT') && p.includes('"eighty"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL'))).toBe(true);
    expect((error as ConfigError).message.split('\n')).toHaveLength(1);
  });

  it('never prints the value of a secret', () => {
    const secretSchema = Type.Object({ SESSION_SECRET: Type.String({ minLength: 32 }) });
    expect(() => parseConfig(secretSchema, { SESSION_SECRET: 'short-secret' })).toThrow(
      'SESSION_SECRET must be at least 32 characters (got a hidden value)',
    );
  });

  it('rejects a connection string that is not a MongoDB URI', () => {
    expect(() => parseConfig(schema, { MONGO_DB: 'postgres://x' })).toThrow(/MONGO_DB/);
  });
});

describe('env files', () => {
  it('finds the nearest .env_local walking up and parses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const nested = join(dir, 'a', 'b');
    writeFileSync(join(dir, '.env_local'), 'MONGO_DB=mongodb://x/y\n# comment\nPORT="7000"\n');
    mkdirSync(nested, { recursive: true });
    const file = findEnvFile(nested);
    expect(file).toBe(join(dir, '.env_local'));
    expect(readEnvFile(file)).toEqual({ MONGO_DB: 'mongodb://x/y', PORT: '7000' });
  });
});

describe('checkConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-prod-'));
  const envFile = join(dir, '.env_local');
  writeFileSync(envFile, 'PORT=7000\nHOST=0.0.0.0\n');
  const secure = 'mongodb+srv://shop:Zq8vN3kT5xW1mR7yB4cH9jL2pD6fG0sA@cluster0.example.net/azshop';

  it('given development, when an env file is there, then it is read and the environment wins', () => {
    const { values, problems } = checkConfig(schema, {
      envFile,
      env: { NODE_ENV: 'development', MONGO_DB: 'mongodb://h/db', HOST: '::' },
    });
    expect(problems).toEqual([]);
    expect(values).toMatchObject({ PORT: 7000, HOST: '::' });
  });

  it('given production, when an env file is named, then it is not read', () => {
    const { values, problems } = checkConfig(schema, {
      envFile,
      env: { NODE_ENV: 'production', MONGO_DB: secure, ENV_FILE: envFile, INTERNAL_PORT: '9464' },
    });
    expect(problems).toEqual([]);
    expect(values).toMatchObject({ PORT: 9091, HOST: '127.0.0.1' });
  });

  it('given NODE_ENV=production only in the env file, then it is refused', () => {
    const file = join(dir, '.env_prod');
    writeFileSync(file, `NODE_ENV=production\nMONGO_DB=${secure}\nINTERNAL_PORT=9464\n`);
    const { problems } = checkConfig(schema, { envFile: file, env: {} });
    expect(problems).toEqual([
      `Refused in production: NODE_ENV=production comes from ${file}; set it in the environment`,
    ]);
  });

  it('given production, then the shared rules and the service rules run, one line per problem', () => {
    const { problems } = checkConfig(schema, {
      env: { NODE_ENV: 'production', MONGO_DB: 'mongodb://127.0.0.1:27017/azshop', PORT: 'eighty' },
      productionRules: [() => ['PORT is refused by the service']],
    });
    expect(problems).toEqual([
      'Invalid configuration: PORT must be an integer ≥ 1 (got "eighty")',
      'Refused in production: MONGO_DB has no credentials: a production database asks for a password or an authMechanism',
      'Refused in production: INTERNAL_PORT is required: without it the main port, which the ingress exposes, would serve readiness details and metrics',
      'Refused in production: PORT is refused by the service',
    ]);
  });

  it('given production with TRACE_STORE=mongo in the environment, then it is refused, not silently ignored', () => {
    const { problems } = checkConfig(schema, {
      env: { NODE_ENV: 'production', MONGO_DB: secure, INTERNAL_PORT: '9464', TRACE_STORE: 'mongo' },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^Refused in production: TRACE_STORE=mongo is for development: /),
    ]);
    expect(
      checkConfig(schema, { env: { NODE_ENV: 'development', MONGO_DB: secure, TRACE_STORE: 'mongo' } })
        .problems,
    ).toEqual([]);
  });

  it('given development, then no production rule runs', () => {
    const { problems } = checkConfig(schema, {
      env: { NODE_ENV: 'development', MONGO_DB: 'mongodb://127.0.0.1:27017/azshop' },
      productionRules: [() => ['never']],
    });
    expect(problems).toEqual([]);
  });
});

describe('config errors never print a password', () => {
  it('given a bad MONGO_DB with a password, then the error shows it as ***', () => {
    expect(() =>
      parseConfig(schema, { MONGO_DB: 'postgres://shop:hunter2-secret@db.example.com/azshop' }),
    ).toThrow('MONGO_DB must match ^mongodb(\\+srv)?:// (got "postgres://shop:***@db.example.com/azshop")');
  });

  it('given a value without a scheme but with a password, then it is hidden too', () => {
    const error = (() => {
      try {
        parseConfig(schema, { MONGO_DB: 'shop:hunter2-secret@db.example.com/azshop' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.message).toContain('shop:***@db.example.com');
    expect(error?.message).not.toContain('hunter2');
  });
});
