/**
 * The release's processor hand-over, run by the post-promotion step of a blue-green release
 * (an Argo Rollouts analysis Job, see docs/deploy.md) or by an operator:
 *   node ordering/dist/release.js handover --colour green [--timeout-ms N] [--watch-ms N] [--retired NAME]...
 *   node ordering/dist/release.js status
 *   node ordering/dist/release.js pause      (no colour runs processors: a stop-then-start release)
 * Exit 0 when the colour holds every bucket and kept them for the watch; 1 when it failed (the
 * processors are then handed back); 2 on bad arguments. Reads MONGO_DB from the environment.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { findEnvFile, readEnvFile } from '../config';
import { createLogger } from '../logger';
import { connectMongo } from '../mongo';
import { isReleaseColour, readActiveColour, setActiveColour } from './control';
import { handOver } from './handover';
import { readOwnership } from './ownership';

const usage =
  'usage: release.js handover --colour blue|green [--timeout-ms N] [--watch-ms N] [--retired NAME]... | release.js status | release.js pause   (MONGO_DB must be set)\n';

export async function runReleaseCli(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      colour: { type: 'string' },
      'timeout-ms': { type: 'string', default: '120000' },
      'watch-ms': { type: 'string', default: '60000' },
      retired: { type: 'string', multiple: true, default: [] },
      // Recorded on release_control: the Job's pod name in Kubernetes.
      by: { type: 'string', default: hostname() },
    },
  });
  const command = positionals[0];
  const MONGO_DB = process.env.MONGO_DB ?? readEnvFile(findEnvFile()).MONGO_DB;
  const timeoutMs = Number(values['timeout-ms']);
  const watchMs = Number(values['watch-ms']);
  const validHandOver =
    isReleaseColour(values.colour) && Number.isInteger(timeoutMs) && Number.isInteger(watchMs);
  const simple = command === 'status' || command === 'pause';
  if (!MONGO_DB || !(simple || (command === 'handover' && validHandOver))) {
    process.stderr.write(usage);
    return 2;
  }
  const logger = createLogger('release', { NODE_ENV: 'production', LOG_LEVEL: 'info' });
  const mongo = await connectMongo({ MONGO_DB, appName: 'release-cli' });
  try {
    if (command === 'status') {
      const status = { activeColour: await readActiveColour(mongo.db), ...(await readOwnership(mongo.db)) };
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return 0;
    }
    if (command === 'pause') {
      const from = await setActiveColour(mongo.db, null, values.by);
      process.stdout.write(`${JSON.stringify({ paused: true, from })}\n`);
      return 0;
    }
    const colour = values.colour;
    if (!isReleaseColour(colour)) return 2;
    const result = await handOver({
      db: mongo.db,
      to: colour,
      by: values.by,
      logger,
      timeoutMs,
      watchMs,
      retired: values.retired,
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await mongo.close();
  }
}
