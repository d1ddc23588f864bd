import type { MongoFlavour } from '@az-shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from 'mongodb';

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's database; the connection is opened and closed by main.ts (or the test helper). */
    db: Db;
    /** MongoDB or Cosmos DB: how documents expire (common/src/mongo/expiry.ts). */
    mongoFlavour: MongoFlavour;
  }
}

export const mongoPlugin = fp<{ db: Db; flavour: MongoFlavour }>(
  async (app: FastifyInstance, { db, flavour }) => {
    app.decorate('db', db);
    app.decorate('mongoFlavour', flavour);
  },
  { name: 'az-shop-mongo' },
);
