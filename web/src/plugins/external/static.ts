import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { ASSETS_PREFIX, isHashedAssetName, loadPageAssets, type PageAssets } from '../../ssr/assets';

declare module 'fastify' {
  interface FastifyInstance {
    /** The built client script and stylesheets that every page links. */
    assets: PageAssets;
  }
}

/** A year: content-hashed names change whenever their content does. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Source maps and the manifest keep their names across builds. */
const REVALIDATE = 'public, max-age=0, must-revalidate';

/** Serves the esbuild browser bundle (`<publicDir>/assets/*`) at `/assets/*`. */
export const staticPlugin = fp<{ publicDir: string }>(
  async (app: FastifyInstance, { publicDir }) => {
    const root = join(publicDir, 'assets');
    app.decorate('assets', loadPageAssets(root));
    // Tests that build the app from sources may run before any bundle exists: /assets/… answers 404.
    if (!existsSync(root)) {
      app.log.warn({ root }, 'no browser bundle found; pages will not hydrate');
      return;
    }
    await app.register(fastifyStatic, {
      root,
      prefix: ASSETS_PREFIX,
      // A route per file of the bundle, listed at start: the bundle's files do not change while web
      // runs (`npm run dev` rebuilds them in place, under the same unhashed names), and a wildcard
      // route reads the folder on every request to check the name's spelling.
      wildcard: false,
      decorateReply: false,
      cacheControl: false,
      setHeaders(reply: FastifyReply, path: string) {
        reply.header('cache-control', isHashedAssetName(basename(path)) ? IMMUTABLE : REVALIDATE);
      },
    });
  },
  { name: 'az-shop-static' },
);
