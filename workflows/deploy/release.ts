// Blue-green releases of az-shop on AKS through Argo Rollouts, with kubectl only (README.md, "Releasing"):
//   npm run deploy:release -- first-release --tag 1.4.2 [--values f.json] [--digest-web sha256:…]
//   npm run deploy:release -- release --tag 1.5.0 [same options]
//   npm run deploy:release -- status | rollback | retire [--colour blue|green]
// Env: RENDER_COMMAND (default "npm run --silent deploy:render --"), RELEASE_POLL_SECONDS (10),
// RELEASE_GATE_TIMEOUT_SECONDS (1800), RELEASE_STATUS_TIMEOUT (30m).
import { parseArgs } from 'node:util';
import {
  firstRelease,
  type ReleaseDeps,
  ReleaseError,
  type RenderOptions,
  release,
  retire,
  rollback,
  status,
} from './release/commands';
import { isColour } from './release/decisions';
import { KubectlError, kubectl, runProcess } from './release/kubectl';
import { DIGEST, IMAGES } from './render/pod';

const USAGE = `usage: release.ts first-release --tag T [--values FILE] [--digest-<service> sha256:…]
       release.ts release --tag T [--values FILE] [--digest-<service> sha256:…]
       release.ts status | rollback | retire [--colour blue|green]`;

function parseCommandLine() {
  return parseArgs({
    allowPositionals: true,
    options: {
      tag: { type: 'string' },
      values: { type: 'string' },
      colour: { type: 'string' },
      'digest-web': { type: 'string' },
      'digest-factory': { type: 'string' },
      'digest-ordering': { type: 'string' },
      'digest-smoke': { type: 'string' },
    },
  });
}

type Values = ReturnType<typeof parseCommandLine>['values'];

function renderOptions(values: Values): RenderOptions {
  const tag = values.tag;
  if (typeof tag !== 'string' || !tag) throw new ReleaseError(`--tag is required\n${USAGE}`);
  const passThrough: string[] = [];
  if (typeof values.values === 'string') passThrough.push('--values', values.values);
  for (const service of IMAGES) {
    const digest = values[`digest-${service}`];
    if (typeof digest !== 'string') continue;
    if (!DIGEST.test(digest))
      throw new ReleaseError(`--digest-${service} must look like sha256:<64 hex digits>`);
    passThrough.push(`--digest-${service}`, digest);
  }
  return { tag, passThrough };
}

const seconds = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new ReleaseError(`${name} must be a number of seconds`);
  return value * 1000;
};

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    throw new ReleaseError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { positionals, values } = parsed;
  const run = runProcess;
  const deps: ReleaseDeps = {
    kubectl: kubectl(run),
    run,
    renderCommand: (process.env.RENDER_COMMAND ?? 'npm run --silent deploy:render --')
      .split(/\s+/)
      .filter(Boolean),
    log: (line) => console.log(line),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    pollMs: seconds('RELEASE_POLL_SECONDS', 10),
    gateTimeoutMs: seconds('RELEASE_GATE_TIMEOUT_SECONDS', 1800),
    statusTimeout: process.env.RELEASE_STATUS_TIMEOUT ?? '30m',
  };
  const colour = values.colour;
  if (colour !== undefined && !isColour(colour)) throw new ReleaseError('--colour must be blue or green');
  switch (positionals[0]) {
    case 'first-release':
      return firstRelease(deps, renderOptions(values));
    case 'release':
      return release(deps, renderOptions(values));
    case 'rollback':
      return rollback(deps);
    case 'retire':
      return retire(deps, colour);
    case 'status':
      return status(deps);
    default:
      console.error(USAGE);
      process.exit(2);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ReleaseError || error instanceof KubectlError) console.error(`✗ ${error.message}`);
  else console.error(error);
  process.exit(1);
});
