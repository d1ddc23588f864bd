import type { MongoFlavour } from '@az-shop/common';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from 'mongodb';
import type { WebConfig } from '../../config';
import type { PublicOrigins } from '../../public-origins';
import { csrfPlugin } from './csrf';
import { jsonBodyPlugin } from './json-body';
import { rateLimitPlugin } from './rate-limit';
import { securityHeadersPlugin } from './security-headers';
import { sessionPlugin } from './session';
import { staticPlugin } from './static';

export interface ExternalPluginsOptions {
  config: WebConfig;
  /** The rate limits' shared store. */
  db: Db;
  /** How the rate-limit windows expire. */
  flavour: MongoFlavour;
  publicDir: string;
  /** The origins state-changing requests may come from (the same list the auth routes use). */
  origins: PublicOrigins;
}

/** Third-party plugins, in the order requests meet them. */
export const externalPlugins = fp<ExternalPluginsOptions>(
  async (app: FastifyInstance, { config, db, flavour, publicDir, origins }) => {
    await app.register(securityHeadersPlugin, { config });
    await app.register(sessionPlugin, { config });
    await app.register(jsonBodyPlugin);
    await app.register(formbody);
    await app.register(csrfPlugin, { origins });
    await app.register(rateLimitPlugin, { config, db, flavour });
    await app.register(staticPlugin, { publicDir });
  },
  { name: 'az-shop-external-plugins' },
);
