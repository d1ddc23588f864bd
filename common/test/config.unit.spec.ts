import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, findEnvFile, parseConfig, readEnvFile } from '../src/config';
import { baseConfigProperties } from '../src/config/base-config';

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
