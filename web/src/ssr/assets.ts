import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** URL prefix of the browser build, as the static plugin serves it. */
export const ASSETS_PREFIX = '/assets/';
/** Written by workflows/build.mjs beside the bundle: entry name → file name (content-hashed, but in `npm run dev`). */
const MANIFEST_FILE = 'manifest.json';

/** The files a page links: the client script and its stylesheets, as URLs. */
export interface PageAssets {
  script: string;
  styles: string[];
}

/** A content-hashed file name (`client-3FJ2KQ7A.js`): it never changes content, so it may be cached for good. */
export function isHashedAssetName(name: string): boolean {
  return /-[A-Z0-9]{8}\.(?:js|css)$/.test(name);
}

/**
 * Reads the build's manifest. Without one (tests that build the app from sources before any bundle
 * exists) pages still render; they just do not hydrate.
 */
export function loadPageAssets(assetsDir: string): PageAssets {
  const file = join(assetsDir, MANIFEST_FILE);
  if (!existsSync(file)) return { script: `${ASSETS_PREFIX}client.js`, styles: [] };
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const script = manifest['client.js'] ?? 'client.js';
  const style = manifest['client.css'];
  return {
    script: `${ASSETS_PREFIX}${script}`,
    styles: style ? [`${ASSETS_PREFIX}${style}`] : [],
  };
}
