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

/**
 * Entry points per workspace: server bundles for node, and the web client bundle for browsers. `app`
 * names the pm2 app that runs a server bundle (pm2.config.js), which `npm run dev` restarts when it
 * is rebuilt; the dev servers (mongo, idp) have none, so it builds them once and leaves them running.
 */
export const targets = [
  { dir: 'emulators/mongo', entries: { cli: 'src/cli.ts' } },
  { dir: 'emulators/identity', entries: { main: 'src/main.ts' } },
  { dir: 'factory', entries: { main: 'src/main.ts', telemetry }, app: 'factory' },
  {
    dir: 'ordering',
    entries: { main: 'src/main.ts', release: 'src/release.ts', telemetry },
    app: 'ordering',
  },
  // demo-images ship beside the bundle: the container image keeps only dist/.
  { dir: 'web', entries: { main: 'src/main.ts', telemetry }, copy: ['demo-images'], app: 'web' },
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

/** Where a target's bundles go: `outRoot` is the checkout, or another folder that mirrors it (tests). */
function outdirOf(target, outRoot = root) {
  return join(outRoot, target.dir, target.outdir ?? 'dist');
}

/**
 * esbuild's options for one target, the same for `npm run build` and `npm run dev`. The browser
 * bundle's file names carry a content hash, so the server can let browsers cache them for a year;
 * `hashed: false` (npm run dev) keeps them fixed, so web, which lists the bundle's files and reads
 * the manifest once at start, serves a rebuilt bundle without a restart.
 */
export function optionsOf(target, { production = false, hashed = true, outRoot = root } = {}) {
  const entryPoints = Object.fromEntries(
    Object.entries(target.entries).map(([name, file]) => [name, join(root, target.dir, file)]),
  );
  const shared = {
    entryPoints,
    outdir: outdirOf(target, outRoot),
    bundle: true,
    format: 'esm',
    sourcemap: true,
    jsx: 'automatic',
    ...(production && { alias: reactRouterProduction }),
    // Inputs per bundle: the browser manifest, and npm run dev's "which bundles does a file affect".
    metafile: true,
    absWorkingDir: root,
    logLevel: 'warning',
  };
  if (target.browser) {
    return {
      ...shared,
      entryNames: hashed ? '[name]-[hash]' : '[name]',
      assetNames: hashed ? '[name]-[hash]' : '[name]',
      platform: 'browser',
      target: ['es2022'],
      minify: production,
      define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
    };
  }
  return {
    ...shared,
    platform: 'node',
    target: ['node20'],
    // In production react-router is bundled (from its production build), not loaded from node_modules.
    external: externalsOf(target.dir).filter((name) => !(production && name === 'react-router')),
  };
}

/** Empties the browser bundle's folder (old hashed files would pile up) and copies what ships beside a bundle. */
export function prepareOutdir(target, outRoot = root) {
  const outdir = outdirOf(target, outRoot);
  if (target.browser) rmSync(outdir, { recursive: true, force: true });
  for (const folder of target.copy ?? []) {
    cpSync(join(root, target.dir, folder), join(outdir, folder), { recursive: true });
  }
}

/** After a browser build: the manifest tells the server which file names to put in the page. */
export function writeManifest(target, metafile, outRoot = root) {
  const outdir = outdirOf(target, outRoot);
  // Keys are the entry names (`client.js`, and `client.css` when the entry imports CSS).
  const entryNameOf = Object.fromEntries(
    Object.entries(target.entries).map(([name, file]) => [join(target.dir, file), name]),
  );
  const manifest = {};
  for (const [file, output] of Object.entries(metafile.outputs)) {
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
    targets.map(async (target) => {
      prepareOutdir(target);
      const result = await esbuild.build(optionsOf(target, { production }));
      if (target.browser) writeManifest(target, result.metafile);
    }),
  );
  return Date.now() - started;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ms = await build();
  console.log(`built ${targets.length} bundles in ${ms} ms`);
}
