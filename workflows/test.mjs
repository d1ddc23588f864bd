#!/usr/bin/env node
// `npm test`: installs if needed, then lint, type-check, build, unit + integration tests (vitest,
// against real dev servers on free ports) and the Playwright end-to-end tests (their own pm2 stack).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './env-file.mjs';
import { installIfMissing } from './start.mjs';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const steps = [
  ['lint', 'npx', ['biome', 'ci', '.']],
  ['typecheck', 'npm', ['run', 'typecheck', '--silent']],
  ['build', process.execPath, [join(root, 'workflows/build.mjs')]],
  ['unit and integration tests', 'npx', ['vitest', 'run']],
  ['end-to-end tests', 'npx', ['playwright', 'test']],
];

installIfMissing();
if (!existsSync(chromiumPath)) {
  console.error(`Chromium is missing at ${chromiumPath}; the end-to-end tests need it.
Install it with:  sudo apt-get install -y chromium     (Debian/Ubuntu; never 'npx playwright install')
or point CHROMIUM_PATH at an existing Chromium binary.`);
  process.exit(1);
}

const only = process.argv.slice(2);
for (const [name, command, args] of steps) {
  if (only.length && !only.some((word) => name.includes(word))) continue;
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
  console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
