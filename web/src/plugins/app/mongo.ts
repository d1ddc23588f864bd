import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from 'mongodb';

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's database; the connection is opened and closed by main.ts (or the test helper). */
    db: Db;
  }
}

export const mongoPlugin = fp<{ db: Db }>(
  async (app: FastifyInstance, { db }) => {
    app.decorate('db', db);
  },
  { name: 'az-shop-mongo' },
);
