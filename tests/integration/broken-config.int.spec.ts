import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

/** Starts a service's real entry point with only the given env file (no inherited service variables). */
function startWith(service: string, envFileText: string) {
  const dir = mkdtempSync(join(tmpdir(), 'broken-env-'));
  const envFile = join(dir, '.env_local');
  writeFileSync(envFile, envFileText);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ENV_FILE: envFile };
  return spawnSync(tsx, [join(root, service, 'src/main.ts')], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('a service started with a broken .env_local', () => {
  it.each(['factory', 'ordering'])('%s exits 1 naming each bad variable, one line each', (service) => {
    const port = service === 'factory' ? 'FACTORY_PORT' : 'ORDERING_PORT';
    const result = startWith(service, `MONGO_DB=not-a-uri\n${port}=eighty\nLOG_LEVEL=info\n`);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.includes('MONGO_DB must match'))).toBeDefined();
    expect(lines.find((line) => line.includes(`${port} must be an integer (got "eighty")`))).toBeDefined();
  });

  it('names a missing variable', () => {
    const result = startWith('factory', 'LOG_LEVEL=info\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('MONGO_DB is missing');
  });
});
