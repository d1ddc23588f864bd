import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = readFileSync(`${root}workflows/container/Dockerfile`, 'utf8');
const smokeDockerfile = readFileSync(`${root}workflows/container/smoke.Dockerfile`, 'utf8');
const dockerignore = readFileSync(`${root}.dockerignore`, 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

/** A Dockerfile's instructions (continuation lines joined), as [instruction, arguments]. */
const instructionsOf = (text: string) =>
  text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, ...rest] = line.split(/\s+/);
      return [name!.toUpperCase(), rest.join(' ')] as const;
    });
const instructions = instructionsOf(dockerfile);

/** The instructions of the last stage: what the image runs with. */
const runtime = instructions.slice(instructions.findLastIndex(([name]) => name === 'FROM'));

describe('the service image (workflows/container/Dockerfile)', () => {
  it('is built on a Node LTS line that is not at its end of life, never a floating tag', () => {
    const froms = instructions.filter(([name]) => name === 'FROM').map(([, args]) => args.split(/\s+/));
    const stages = new Set(froms.map((words) => words[2]).filter(Boolean));
    // Images, not earlier stages of this file.
    const images = froms.map((words) => words[0]!).filter((base) => !stages.has(base));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image, 'pinned by digest (the tag beside it for readers)').toMatch(
        /^[^:@]+(:[^:@]+)?@sha256:[0-9a-f]{64}$/,
      );
      expect(image).not.toMatch(/:latest$/);
    }
    for (const image of images.filter((name) => name.startsWith('node:'))) {
      const major = Number(/^node:(\d+)/.exec(image)?.[1]);
      expect(major, image).toBeGreaterThanOrEqual(22);
      expect(major % 2, `${image}: an LTS line is even`).toBe(0);
    }
  });

  it('runs as a non-root user, with source maps for stack traces, and production dependencies only', () => {
    const user = runtime.findLast(([name]) => name === 'USER')?.[1];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.find(([name]) => name === 'CMD')?.[1]).toContain('--enable-source-maps');
    for (const [name, args] of runtime.filter(([n]) => n === 'RUN')) {
      if (args.includes('npm ci')) expect(args, `${name} ${args}`).toContain('--omit=dev');
    }
  });

  it('never carries the dev servers (identity provider, Mongo) into the runtime stage', () => {
    const copied = runtime.filter(([name]) => name === 'COPY').map(([, args]) => args);
    for (const args of copied) expect(args).not.toMatch(/emulators\/(identity|mongo)\/(src|dist)/);
  });

  it('keeps host installs, builds, local data, secrets and history out of the build context', () => {
    for (const entry of [
      '**/node_modules',
      '**/dist',
      '.git',
      '.env_local',
      '__mongo_data__',
      '__blobstorage__',
    ])
      expect(dockerignore).toContain(entry);
  });
});

describe('the smoke image (workflows/container/smoke.Dockerfile)', () => {
  const smoke = instructionsOf(smokeDockerfile);

  it('is built on the same pinned base as the services, runs as non-root, and downloads no browser', () => {
    const from = smoke.filter(([name]) => name === 'FROM').map(([, args]) => args);
    expect(from).toEqual([instructions.find(([name]) => name === 'FROM')![1].split(/\s+/)[0]]);
    expect(smoke.findLast(([name]) => name === 'USER')?.[1]).toBe('node');
    const runs = smoke.filter(([name]) => name === 'RUN').map(([, args]) => args);
    expect(runs.join(' ')).toContain('apt-get install -y --no-install-recommends chromium');
    expect(runs.join(' ')).not.toMatch(/playwright install/);
    expect(
      smoke.find(([name, args]) => name === 'ENV' && args.includes('PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1')),
    ).toBeDefined();
  });

  it('carries only the smoke suite, never the shop', () => {
    const copied = smoke.filter(([name]) => name === 'COPY').map(([, args]) => args.split(/\s+/)[0]);
    expect(copied).toEqual(['package-lock.json', 'playwright.smoke.config.ts', 'tests/smoke']);
  });

  it('has every file the smoke config imports (it shares the browser settings in tests/smoke)', () => {
    const config = readFileSync(`${root}playwright.smoke.config.ts`, 'utf8');
    const local = [...config.matchAll(/from '(\.[^']+)'/g)].map((match) => match[1]);
    expect(local).toContain('./tests/smoke/chromium');
    for (const path of local) expect(path).toMatch(/^\.\/tests\/smoke\//);
  });
});
