import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './cli';
import { DEFAULT_VALUES_FILE } from './values';

const DIGEST = `sha256:${'0f'.repeat(32)}`;
const cli = join(import.meta.dirname, 'cli.ts');
const run = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('deploy:render arguments', () => {
  it('takes a colour, a tag, a values file and digests by image', () => {
    expect(parseCli(['--colour', 'blue', '--tag', '2026.12.06-1', '--digest-smoke', DIGEST])).toEqual({
      colour: 'blue',
      tag: '2026.12.06-1',
      valuesFile: DEFAULT_VALUES_FILE,
      digests: { smoke: DIGEST },
    });
  });

  it.each([
    [[], /--colour must be blue or green \(got nothing\)/],
    [['--colour', 'red', '--tag', '1'], /--colour must be blue or green \(got red\)/],
    [['--colour', 'blue'], /--tag must be an image tag/],
    [['--colour', 'blue', '--tag', 'a/b'], /--tag must be an image tag/],
    [['--colour', 'blue', '--tag', 'latest'], /--tag latest is refused/],
    [
      ['--colour', 'blue', '--tag', '1', '--digest-web', 'sha256:abc'],
      /--digest-web must be sha256:<64 hex>/,
    ],
    [['--colour', 'blue', '--tag', '1', '--digest-db', DIGEST], /Unknown option '--digest-db'/],
    [['--colour', 'blue', '--tag', '1', 'extra'], /positional/],
  ])('refuses %j', (args, message) => {
    expect(() => parseCli(args)).toThrow(UsageError);
    expect(() => parseCli(args)).toThrow(message);
  });
});

// Each run starts node with tsx: allow for a busy machine.
describe('deploy:render, run', { timeout: 60_000 }, () => {
  it('prints the release on stdout', () => {
    const result = run(['--colour', 'green', '--tag', '1.2.3', '--digest-ordering', DIGEST]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('name: ordering-green\n');
    expect(result.stdout).toContain(`image: azshopacr.azurecr.io/az-shop-ordering:1.2.3@${DIGEST}\n`);
  });

  it('exits 2 with the problem and the usage on bad arguments, and with the field on bad values', () => {
    const bad = run(['--colour', 'purple', '--tag', '1.2.3']);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^deploy:render: --colour must be blue or green \(got purple\)\nusage: /);

    const dir = mkdtempSync(join(tmpdir(), 'render-values-'));
    const values = JSON.parse(readFileSync(DEFAULT_VALUES_FILE, 'utf8')) as {
      factory: { maxReplicas: number };
    };
    values.factory.maxReplicas = 17;
    writeFileSync(join(dir, 'production.json'), JSON.stringify(values));
    writeFileSync(join(dir, 'colour-blue.json'), JSON.stringify({ env: {} }));
    const tooMany = run(['--colour', 'blue', '--tag', '1.2.3', '--values', join(dir, 'production.json')]);
    expect(tooMany.status).toBe(2);
    expect(tooMany.stderr).toContain('factory.maxReplicas must not exceed processorBuckets');
  });
});
