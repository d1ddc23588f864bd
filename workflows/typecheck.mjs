#!/usr/bin/env node
// `npm run typecheck`: every TypeScript project of the repository (the root's tooling and each
// workspace), as many at once as there are cores: each tsc is single-threaded.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { root } from './env-file.mjs';

const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const projects = ['.', ...workspaces].filter((dir) => existsSync(join(root, dir, 'tsconfig.json')));
const tsc = join(root, 'node_modules/.bin/tsc');

/** Runs tsc on one project; resolves with its output and whether it passed. */
function check(project) {
  return new Promise((resolve) => {
    const child = spawn(tsc, ['-p', join(root, project), '--noEmit'], { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ project, ok: false, output: `${error.message}\n` }));
    child.on('close', (code) => resolve({ project, ok: code === 0, output }));
  });
}

const queue = [...projects];
const failed = [];
await Promise.all(
  Array.from({ length: Math.min(availableParallelism(), projects.length) }, async () => {
    for (let project = queue.shift(); project; project = queue.shift()) {
      const result = await check(project);
      if (!result.ok) {
        failed.push(project);
        process.stdout.write(result.output);
      }
    }
  }),
);
if (failed.length) {
  console.error(`typecheck failed in: ${failed.join(', ')}`);
  process.exit(1);
}
