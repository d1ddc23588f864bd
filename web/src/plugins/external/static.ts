import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Serves the esbuild browser bundle (`<publicDir>/assets/*`) at `/assets/*`. */
export const staticPlugin = fp<{ publicDir: string }>(
  async (app: FastifyInstance, { publicDir }) => {
    const root = join(publicDir, 'assets');
    // Tests that build the app from sources may run before any bundle exists.
    if (!existsSync(root)) app.log.warn({ root }, 'no browser bundle found; pages will not hydrate');
    await app.register(fastifyStatic, {
      root,
      prefix: '/assets/',
      wildcard: true,
      decorateReply: false,
      maxAge: '1h',
    });
  },
  { name: 'az-shop-static' },
);
