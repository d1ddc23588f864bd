import type { Db } from 'mongodb';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import type { Logger } from '../logger';
import type { ReactionOptions, ServiceReactions } from '../reactions/service-reactions';
import { isReleaseColour } from '../release/control';
import { colourGatedReactions } from '../release/gate';

/** The app name the services under test connect with: the only connections a Cosmos test run throttles. */
export const SERVICES_APP = 'az-shop-services';

/**
 * A service's processors and timers in a process of its own, gated by colour as its main.ts runs
 * them (with test-sized leases and polls), for the tests that kill, restart or hand over a service
 * (crash, colour hand-over) and the benchmarks. Read from the
 * environment: MONGO_URI, DB_NAME (required); RELEASE_COLOUR (gated by the active colour, polled every
 * RELEASE_POLL_MS); MONGO_FLAVOUR=cosmos; LEASES=false, LEASE_TTL_MS, BUCKETS; CONCURRENCY; LOG_LEVEL.
 * Prints `ready` once started; stops cleanly on SIGTERM.
 */
export async function runServiceProcess(
  register: (deps: { db: Db; logger: Logger }, options: ReactionOptions) => ServiceReactions,
): Promise<void> {
  const { env } = process;
  if (!env.MONGO_URI || !env.DB_NAME) throw new Error('MONGO_URI and DB_NAME are required');
  const mode = env.MONGO_FLAVOUR === 'cosmos' ? 'cosmos' : 'mongo';
  // Cosmos mode with leases opens a stream per bucket, each holding a connection in its getMore.
  const client = new MongoClient(env.MONGO_URI, {
    maxPoolSize: mode === 'cosmos' ? 150 : 50,
    appName: SERVICES_APP,
  });
  await client.connect();
  const db = client.db(env.DB_NAME);
  const logger = pino({ level: env.LOG_LEVEL ?? 'silent' });
  const colour = isReleaseColour(env.RELEASE_COLOUR) ? env.RELEASE_COLOUR : undefined;
  const options: ReactionOptions = {
    leases:
      env.LEASES === 'false'
        ? false
        : { ttlMs: Number(env.LEASE_TTL_MS ?? 15_000), colour, buckets: Number(env.BUCKETS ?? 16) },
    concurrency: Number(env.CONCURRENCY ?? 16),
    mode,
  };
  const reactions = colourGatedReactions({
    db,
    logger,
    colour,
    build: () => register({ db, logger }, options),
    pollMs: Number(env.RELEASE_POLL_MS ?? 2_000),
  });
  await reactions.start();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void reactions
      .stop()
      .then(() => client.close())
      .then(() => process.exit(0));
  });
}
