#!/usr/bin/env node
// `npm run dev`: npm start's stack under pm2, then a watcher that rebuilds what a saved file affects
// and restarts only the apps that run it (workflows/dev-watch.mjs). Ctrl-C stops the watcher; the
// stack keeps running, as after npm start (npm stop stops it).
// Only node built-ins are imported statically (through start.mjs): dependencies may not be installed yet.
import { relative } from 'node:path';
import { root } from './env-file.mjs';
import { prepare, runningMessage, startStack } from './start.mjs';

prepare();
const { createBundles, watchBundles } = await import('./dev-watch.mjs');
const { readinessProbes, waitUntilReady } = await import('./stack.mjs');
const { connectPm2 } = await import('./pm2-client.mjs');

console.log('Building…');
const bundles = await createBundles().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
// Exiting with esbuild contexts alive can leave its service printing a goroutine dump: free them first.
const vars = await startStack({ beforeExit: () => Promise.all(bundles.map((b) => b.context.dispose())) });

// One connection for every restart: pm2's CLI would start anew for each.
const pm2 = await connectPm2();
const watcher = watchBundles(bundles, {
  restart: (apps) => pm2.restart(apps),
  async ready(apps) {
    const deadline = Date.now() + 60_000;
    for (const probe of readinessProbes(vars).filter((p) => apps.includes(p.name))) {
      await waitUntilReady(probe, { deadline });
    }
  },
});

console.log(`${runningMessage(vars)}

Watching ${watcher.folders.map((folder) => relative(root, folder)).join(', ')}: a saved file rebuilds the bundles built from it and restarts
only the apps that run them. Ctrl-C stops watching; the apps keep running (npm stop stops them).`);

async function stop() {
  await watcher.close();
  pm2.disconnect();
  console.log('\nStopped watching. The apps keep running: npm stop stops them.');
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
