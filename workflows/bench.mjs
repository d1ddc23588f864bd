#!/usr/bin/env node
// `npm run bench`: runs every benchmark (<workspace>/bench/*.bench.ts) one after another, each in its
// own process so their figures do not disturb each other. `npm run bench -- mongo` runs matching ones.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './env-file.mjs';

// workflows/bench: the developer's loop (npm run dev), measured against a copy of the checkout.
const workspaces = ['emulators/mongo', 'common', 'factory', 'ordering', 'web', 'workflows'];
const filter = process.argv.slice(2);
const files = workspaces.flatMap((dir) => {
  const benchDir = join(root, dir, 'bench');
  if (!existsSync(benchDir)) return [];
  return readdirSync(benchDir)
    .filter((name) => name.endsWith('.bench.ts'))
    .map((name) => join(dir, 'bench', name));
});

let failed = 0;
for (const file of files) {
  if (filter.length && !filter.some((word) => file.includes(word))) continue;
  console.log(`\n=== ${file} ===`);
  // tsx applies one tsconfig, to the files it includes: the bench folder's own if it has one (web's
  // maps react-router to its production build), else its workspace's (web's sets jsx), else the root's.
  const workspace = join(root, file.split('/bench/')[0]);
  const benchTsconfig = join(workspace, 'bench', 'tsconfig.json');
  // workflows has neither: the root's, which type-checks it.
  const tsconfig = [benchTsconfig, join(workspace, 'tsconfig.json'), join(root, 'tsconfig.json')].find(
    existsSync,
  );
  const result = spawnSync(join(root, 'node_modules/.bin/tsx'), [file], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
  });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
