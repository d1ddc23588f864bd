#!/usr/bin/env node
// Builds every runnable workspace with esbuild into its dist/: what pm2 and the containers run.
// Workspace packages (@az-shop/*) are bundled from their TypeScript sources; npm dependencies stay
// external and load from node_modules at run time (some, like pino-pretty and oidc-provider, do not
// survive bundling).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Entry points per workspace: server bundles for node, and the web client bundle for browsers. */
export const targets = [
  { dir: 'emulators/mongo', entries: { cli: 'src/cli.ts' } },
  { dir: 'emulators/identity', entries: { main: 'src/main.ts' } },
  { dir: 'factory', entries: { main: 'src/main.ts' } },
  { dir: 'ordering', entries: { main: 'src/main.ts' } },
  { dir: 'web', entries: { main: 'src/main.ts' } },
  { dir: 'web', entries: { client: 'src/client/entry.tsx' }, browser: true, outdir: 'dist/public/assets' },
];

function externalsOf(dir) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const common = JSON.parse(readFileSync(join(root, 'common', 'package.json'), 'utf8'));
  const deps = { ...pkg.dependencies, ...common.dependencies };
  return Object.keys(deps).filter((name) => !name.startsWith('@az-shop/'));
}

export async function build({ production = process.env.NODE_ENV === 'production' } = {}) {
  const started = Date.now();
  await Promise.all(
    targets.map((target) => {
      const outdir = join(root, target.dir, target.outdir ?? 'dist');
      const entryPoints = Object.fromEntries(
        Object.entries(target.entries).map(([name, file]) => [name, join(root, target.dir, file)]),
      );
      if (target.browser) {
        return esbuild.build({
          entryPoints,
          outdir,
          bundle: true,
          format: 'esm',
          platform: 'browser',
          target: ['es2022'],
          minify: production,
          sourcemap: true,
          jsx: 'automatic',
          define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
          logLevel: 'warning',
        });
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
        external: externalsOf(target.dir),
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
