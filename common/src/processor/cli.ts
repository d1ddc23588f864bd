/**
 * Operator CLI for parked events.
 *   npx tsx common/src/processor/cli.ts list --processor NAME [--all]
 *   npx tsx common/src/processor/cli.ts replay --processor NAME [--id ID]
 * `replay` marks parked events for replay; the running processor (which has the handler) picks
 * them up within its replay poll interval and reports the outcome in `list`.
 * Reads MONGO_DB from the environment (or the nearest .env_local).
 */
import { parseArgs } from 'node:util';
import { findEnvFile, readEnvFile } from '../config';
import { connectMongo } from '../mongo';
import { listParked, requestReplay } from './parking';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      processor: { type: 'string' },
      id: { type: 'string' },
      all: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  const MONGO_DB = process.env.MONGO_DB ?? readEnvFile(findEnvFile()).MONGO_DB;
  if ((command !== 'list' && command !== 'replay') || !values.processor || !MONGO_DB) {
    process.stderr.write(
      'usage: cli.ts list|replay --processor NAME [--id ID] [--all]   (MONGO_DB must be set)\n',
    );
    return 2;
  }
  const mongo = await connectMongo({ MONGO_DB, appName: 'processor-cli' });
  try {
    if (command === 'list') {
      const parked = await listParked(mongo.db, values.processor, {
        includeReplayed: values.all,
        limit: 1000,
      });
      for (const doc of parked) {
        const line = {
          id: doc._id.toHexString(),
          status: doc.status,
          partitionKey: doc.partitionKey,
          documentKey: doc.event.documentKey,
          attempts: doc.attempts,
          error: doc.error.message,
          parkedAt: doc.parkedAt.toISOString(),
        };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      }
      process.stderr.write(`${parked.length} parked event(s)\n`);
    } else {
      const count = await requestReplay(mongo.db, values.processor, values.id);
      process.stdout.write(`${count} event(s) marked for replay\n`);
    }
    return 0;
  } finally {
    await mongo.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
