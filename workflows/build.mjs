#!/usr/bin/env node
// Builds every runnable workspace with esbuild into its dist/: what pm2 and the containers run.
// Workspace packages (@az-shop/*) are bundled from their TypeScript sources; npm dependencies stay
// external and load from node_modules at run time (some, like pino-pretty and oidc-provider, do not
// survive bundling).
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Every service also gets `telemetry.js`, which `node --import` loads before `main.js` (tracing setup,
 * docs/observability.md): the instrumentations must be in place before the app loads its modules.
 */
const telemetry = '../common/src/telemetry/register.ts';

/** Entry points per workspace: server bundles for node, and the web client bundle for browsers. */
export const targets = [
  { dir: 'emulators/mongo', entries: { cli: 'src/cli.ts' } },
  { dir: 'emulators/identity', entries: { main: 'src/main.ts' } },
  { dir: 'factory', entries: { main: 'src/main.ts', telemetry } },
  { dir: 'ordering', entries: { main: 'src/main.ts', release: 'src/release.ts', telemetry } },
  // demo-images ship beside the bundle: the container image keeps only dist/.
  { dir: 'web', entries: { main: 'src/main.ts', telemetry }, copy: ['demo-images'] },
  { dir: 'web', entries: { client: 'src/client/entry.tsx' }, browser: true, outdir: 'dist/public/assets' },
];

function externalsOf(dir) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const common = JSON.parse(readFileSync(join(root, 'common', 'package.json'), 'utf8'));
  const deps = { ...pkg.dependencies, ...common.dependencies };
  return Object.keys(deps).filter((name) => !name.startsWith('@az-shop/'));
}

/**
 * react-router's package exports only its development build (remix-run/react-router#14102), which
 * keeps dev-only checks and warnings on. Production bundles point at its production build instead.
 */
const reactRouterProduction = {
  'react-router/dom': join(root, 'node_modules/react-router/dist/production/dom-export.mjs'),
  'react-router': join(root, 'node_modules/react-router/dist/production/index.mjs'),
};

/** Where the browser build lists its content-hashed files (`client.js` → `client-3FJ2KQ.js`). */
export const ASSET_MANIFEST = 'manifest.json';

/**
 * The browser bundle: file names carry a content hash, so the server can let browsers cache them for
 * a year; the manifest tells the server which names to put in the page.
 */
async function buildBrowser(entryPoints, outdir, production) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints,
    outdir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: production,
    sourcemap: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
    ...(production && { alias: reactRouterProduction }),
    metafile: true,
    absWorkingDir: root,
    logLevel: 'warning',
  });
  // Keys are the entry names (`client.js`, and `client.css` when the entry imports CSS).
  const entryNameOf = Object.fromEntries(
    Object.entries(entryPoints).map(([name, file]) => [relative(root, file), name]),
  );
  const manifest = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const name = output.entryPoint && entryNameOf[output.entryPoint];
    if (!name) continue;
    manifest[`${name}.js`] = relative(outdir, join(root, file));
    if (output.cssBundle) manifest[`${name}.css`] = relative(outdir, join(root, output.cssBundle));
  }
  writeFileSync(join(outdir, ASSET_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function build({ production = process.env.NODE_ENV === 'production' } = {}) {
  const started = Date.now();
  await Promise.all(
    targets.map((target) => {
      const outdir = join(root, target.dir, target.outdir ?? 'dist');
      const entryPoints = Object.fromEntries(
        Object.entries(target.entries).map(([name, file]) => [name, join(root, target.dir, file)]),
      );
      if (target.browser) return buildBrowser(entryPoints, outdir, production);
      for (const folder of target.copy ?? []) {
        cpSync(join(root, target.dir, folder), join(outdir, folder), { recursive: true });
      }
      return esbuild.build({
        entryPoints,
        outdir,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: ['node20'],
        sourcemap: true,
        jsx: 'automatic',
        // In production react-router is bundled (from its production build), not loaded from node_modules.
        external: externalsOf(target.dir).filter((name) => !(production && name === 'react-router')),
        ...(production && { alias: reactRouterProduction }),
        logLevel: 'warning',
      });
    }),
  );
  return Date.now() - started;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ms = await build();
  console.log(`built ${targets.length} bundles in ${ms} ms`);
}
