import type { MongoFlavour } from '@az-shop/common';
import { SERVICES_APP, type TestMongoOptions } from '@az-shop/common/testing';

/**
 * The pipeline suites run once per flavour (docs/processor.md, Cosmos mode): against the dev server as
 * MongoDB, and as Cosmos DB (its refusals, and 16500 throttling of 2 % of the services' commands, so
 * every retry path runs). The test's own set-up writes and assertions are not throttled.
 */
export const FLAVOURS: { flavour: MongoFlavour; server: TestMongoOptions }[] = [
  { flavour: 'mongo', server: {} },
  {
    flavour: 'cosmos',
    server: { cosmos: { throttleRate: 0.02, retryAfterMs: 5, throttleAppNames: [SERVICES_APP] } },
  },
];
