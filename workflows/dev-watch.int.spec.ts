// npm run dev's "which bundles does a saved file affect", against real esbuild contexts built from
// the checkout's sources (into a temporary folder: the checkout's dist/ is left alone).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affectedBy, createBundles, labelOf, rebuildAffected, sourceFolders } from './dev-watch.mjs';
import { root } from './env-file.mjs';

type Bundles = Awaited<ReturnType<typeof createBundles>>;
let outRoot: string;
let bundles: Bundles;

beforeAll(async () => {
  outRoot = mkdtempSync(join(tmpdir(), 'dev-watch-'));
  bundles = await createBundles({ outRoot });
}, 120_000);

afterAll(async () => {
  await Promise.all((bundles ?? []).map((bundle) => bundle.context.dispose()));
  rmSync(outRoot, { recursive: true, force: true });
});

const affected = (file: string) => affectedBy(bundles, [join(root, file)]).map((b) => labelOf(b.target));

describe('the bundles npm run dev watches', () => {
  it('are the three services and the browser bundle, built into the given folder', () => {
    expect(bundles.map((b) => labelOf(b.target))).toEqual(['factory', 'ordering', 'web', 'browser bundle']);
    expect(existsSync(join(outRoot, 'web/dist/main.js'))).toBe(true);
    // No hash in dev: web serves a rebuilt bundle under the name it read at start.
    const manifest = JSON.parse(readFileSync(join(outRoot, 'web/dist/public/assets/manifest.json'), 'utf8'));
    expect(manifest).toEqual({ 'client.js': 'client.js', 'client.css': 'client.css' });
  });

  it('are read from the workspaces source folders', () => {
    expect(sourceFolders(bundles)).toEqual(
      ['common/src', 'factory/src', 'ordering/src', 'web/src'].map((folder) => join(root, folder)),
    );
  });
});

describe('a saved file affects the bundles built from it', () => {
  it.each([
    ['web/src/routes/index.ts', ['web']],
    ['web/src/client/entry.tsx', ['browser bundle']],
    ['web/src/ui/footer.tsx', ['web', 'browser bundle']],
    ['common/src/logger.ts', ['factory', 'ordering', 'web']],
    ['factory/src/main.ts', ['factory']],
    ['ordering/src/release.ts', ['ordering']],
    ['web/src/config.unit.spec.ts', []],
    ['README.md', []],
  ])('%s → %j', (file, labels) => {
    expect(affected(file)).toEqual(labels);
  });
});

describe('rebuilding what a change affects', () => {
  it('rebuilds web and the browser bundle for a page, and restarts web alone', async () => {
    const { rebuilt, failed, apps } = await rebuildAffected(bundles, [join(root, 'web/src/ui/footer.tsx')]);
    expect(rebuilt.map((b) => labelOf(b.target))).toEqual(['web', 'browser bundle']);
    expect(failed).toEqual([]);
    expect(apps).toEqual(['web']);
  });

  it('rebuilds the browser bundle alone for the client entry, and restarts nothing', async () => {
    const { rebuilt, apps } = await rebuildAffected(bundles, [join(root, 'web/src/client/entry.tsx')]);
    expect(rebuilt.map((b) => labelOf(b.target))).toEqual(['browser bundle']);
    expect(apps).toEqual([]);
  });

  it('restarts the three services for common', async () => {
    const { apps } = await rebuildAffected(bundles, [join(root, 'common/src/logger.ts')]);
    expect(apps).toEqual(['factory', 'ordering', 'web']);
  });

  it('does nothing for a file no bundle is built from', async () => {
    const { rebuilt, apps } = await rebuildAffected(bundles, [join(root, 'web/src/config.unit.spec.ts')]);
    expect(rebuilt).toEqual([]);
    expect(apps).toEqual([]);
  });
});
