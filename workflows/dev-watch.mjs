// The watch half of `npm run dev`: one esbuild context per bundle of build.mjs, rebuilt when a file it
// was built from changes, and the pm2 app that runs it restarted. esbuild's metafile says which files
// each bundle was built from, so a change rebuilds only the bundles that use it: web/src → web,
// common/src → the three services, web/src/client → the browser bundle alone (no restart: in dev its
// file names carry no hash, and web serves the rebuilt files as they are).
// Not esbuild's ctx.watch(): it polls (a save may wait a while to be seen) and rebuilds each context on
// its own, while one burst of changes here is one rebuild of the affected contexts and one pm2 call.
import { watch } from 'node:fs';
import { join, relative } from 'node:path';
import * as esbuild from 'esbuild';
import { optionsOf, prepareOutdir, targets, writeManifest } from './build.mjs';
import { root } from './env-file.mjs';

/**
 * @typedef {object} Bundle
 * @property {(typeof targets)[number]} target
 * @property {import('esbuild').BuildContext} context
 * @property {string} outRoot
 * @property {Set<string>} inputs what its last build read
 * @property {boolean} failed its last build failed
 */

/** What a bundle is called in the watcher's lines. */
export function labelOf(target) {
  return target.browser ? 'browser bundle' : (target.app ?? target.dir);
}

/** Absolute paths of the files a build read (metafile input keys are relative to the checkout). */
function inputsOf(metafile) {
  return new Set(Object.keys(metafile.inputs).map((file) => join(root, file)));
}

/**
 * Rebuilds one bundle. esbuild prints its own errors (file, line, a code frame); a bundle that fails
 * keeps its last output, so the app running it is left as it is. Returns whether it built.
 */
export async function rebuild(bundle) {
  try {
    const result = await bundle.context.rebuild();
    bundle.inputs = inputsOf(result.metafile);
    if (bundle.target.browser) writeManifest(bundle.target, result.metafile, bundle.outRoot);
    bundle.failed = false;
  } catch {
    bundle.failed = true;
  }
  return !bundle.failed;
}

/**
 * Builds every target once through an esbuild context and keeps the contexts of the bundles worth
 * watching: the services' (an `app` to restart) and the browser's. The dev servers are built once.
 * `outRoot` mirrors the checkout's folders elsewhere (tests); the sources are always the checkout's.
 * @returns {Promise<Bundle[]>}
 */
export async function createBundles({ outRoot = root } = {}) {
  const bundles = await Promise.all(
    targets.map(async (target) => {
      prepareOutdir(target, outRoot);
      const context = await esbuild.context(optionsOf(target, { hashed: false, outRoot }));
      /** @type {Bundle} */
      const bundle = { target, context, outRoot, inputs: new Set(), failed: false };
      await rebuild(bundle);
      return bundle;
    }),
  );
  const failed = bundles.filter((bundle) => bundle.failed);
  const watched = bundles.filter((bundle) => bundle.target.app || bundle.target.browser);
  await Promise.all(bundles.filter((b) => !watched.includes(b)).map((b) => b.context.dispose()));
  if (failed.length) {
    await Promise.all(watched.map((b) => b.context.dispose()));
    throw new Error(`Could not build ${failed.map((b) => labelOf(b.target)).join(', ')} (errors above)`);
  }
  return watched;
}

/**
 * The bundles that a change to these files (absolute paths) affects: those built from one of them,
 * and any whose last build failed (the fix may be in a file its failed build never reached).
 * @param {Bundle[]} bundles
 * @param {string[]} files
 */
export function affectedBy(bundles, files) {
  return bundles.filter((bundle) => bundle.failed || files.some((file) => bundle.inputs.has(file)));
}

/**
 * Rebuilds the bundles these files affect, and says which pm2 apps run one that built (to restart)
 * and which bundles did not build (their apps keep running their last build).
 * @param {Bundle[]} bundles
 * @param {string[]} files
 */
export async function rebuildAffected(bundles, files) {
  const affected = affectedBy(bundles, files);
  const built = await Promise.all(affected.map(rebuild));
  const rebuilt = affected.filter((_, i) => built[i]);
  const failed = affected.filter((_, i) => !built[i]);
  const apps = [...new Set(rebuilt.map((bundle) => bundle.target.app).filter(Boolean))];
  return { rebuilt, failed, apps };
}

/** The source folders the bundles read from (`web/src`, `common/src`…), outside node_modules. */
export function sourceFolders(bundles) {
  const folders = new Set();
  for (const bundle of bundles) {
    for (const file of bundle.inputs) {
      const match = /^(.+?\/src)\//.exec(relative(root, file));
      if (match && !match[1].includes('node_modules')) folders.add(join(root, match[1]));
    }
  }
  return [...folders].sort();
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Watches the bundles' source folders (inotify through fs.watch, so a save is seen at once) and
 * applies each burst of changes after `quietMs`, one burst at a time. `restart(apps)` restarts pm2
 * apps; `ready(apps)` (optional) resolves when they answer again.
 */
export function watchBundles(bundles, { restart, ready, log = console.log, quietMs = 30 }) {
  let pending = new Set();
  let firstChangeAt = 0;
  let timer;
  let queue = Promise.resolve();

  async function apply(files, changedAt) {
    const { rebuilt, failed, apps } = await rebuildAffected(bundles, files);
    const since = () => seconds(performance.now() - changedAt);
    for (const bundle of failed) {
      const app = bundle.target.app;
      log(
        `✗ ${labelOf(bundle.target)} did not build (errors above); ${app ? `${app} keeps running its last build` : 'web keeps serving the last bundle'}`,
      );
    }
    if (!rebuilt.length) return;
    const names = files.map((file) => relative(root, file)).join(', ');
    log(`↻ ${names}: rebuilt ${rebuilt.map((b) => labelOf(b.target)).join(', ')} in ${since()}`);
    if (!apps.length) return log('  no restart needed');
    await restart(apps);
    log(`  restarted ${apps.join(', ')} ${since()} after the change`);
    if (!ready) return;
    // Not awaited: the next change need not wait for the restarted apps to be ready.
    ready(apps).then(
      () => log(`✓ ${apps.join(', ')} ready ${since()} after the change`),
      (error) => log(`✗ ${error.message}`),
    );
  }

  function flush() {
    const files = [...pending];
    const changedAt = firstChangeAt;
    pending = new Set();
    queue = queue.then(() => apply(files, changedAt)).catch((error) => log(`✗ ${error.message}`));
  }

  const folders = sourceFolders(bundles);
  const watchers = folders.map((folder) =>
    watch(folder, { recursive: true }, (_event, name) => {
      if (!name) return;
      if (!pending.size) firstChangeAt = performance.now();
      pending.add(join(folder, name));
      clearTimeout(timer);
      timer = setTimeout(flush, quietMs);
    }),
  );

  return {
    folders,
    /** Stops watching, lets a running rebuild finish, and frees esbuild's contexts. */
    async close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      await queue;
      await Promise.all(bundles.map((bundle) => bundle.context.dispose()));
    },
  };
}
