// npm run deploy:render -- --colour green --tag 1.2.3 [--values file] [--digest-web sha256:…]
// Prints every object of the release as YAML on stdout; bad arguments or values exit 2.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { renderObjects, toYaml } from './index';
import { DIGEST, IMAGES, type Image, type Release } from './pod';
import { COLOURS, type Colour, DEFAULT_VALUES_FILE, loadValues, ValuesError } from './values';

export class UsageError extends Error {
  override name = 'UsageError';
}

const USAGE = `usage: npm run deploy:render -- --colour <blue|green> --tag <tag> [--values <production.json>] ${IMAGES.map((image) => `[--digest-${image} sha256:<64 hex>]`).join(' ')}`;
/** An OCI tag: never `latest`, which names no release and cannot be rolled back to. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface CliOptions {
  colour: Colour;
  tag: string;
  valuesFile: string;
  digests: Partial<Record<Image, string>>;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed: ReturnType<typeof parseArgs<{ options: Record<string, { type: 'string' }>; strict: true }>>;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        ['colour', 'tag', 'values', ...IMAGES.map((image) => `digest-${image}`)].map((name) => [
          name,
          { type: 'string' as const },
        ]),
      ),
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { colour, tag, values } = parsed.values;
  if (!colour || !COLOURS.includes(colour as Colour))
    throw new UsageError(`--colour must be blue or green (got ${colour ?? 'nothing'})`);
  if (!tag || !TAG.test(tag)) throw new UsageError(`--tag must be an image tag (got ${tag ?? 'nothing'})`);
  if (tag === 'latest') throw new UsageError('--tag latest is refused: release a named version');
  const digests: Partial<Record<Image, string>> = {};
  for (const image of IMAGES) {
    const digest = parsed.values[`digest-${image}`];
    if (digest === undefined) continue;
    if (!DIGEST.test(digest))
      throw new UsageError(`--digest-${image} must be sha256:<64 hex> (got ${digest})`);
    digests[image] = digest;
  }
  return { colour: colour as Colour, tag, valuesFile: values ?? DEFAULT_VALUES_FILE, digests };
}

export function renderFromCli(argv: string[]): string {
  const options = parseCli(argv);
  const release: Release = {
    colour: options.colour,
    tag: options.tag,
    digests: options.digests,
    values: loadValues(options.colour, options.valuesFile),
  };
  return toYaml(renderObjects(release));
}

export function main(argv: string[]): number {
  try {
    process.stdout.write(renderFromCli(argv));
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ValuesError) {
      process.stderr.write(
        `deploy:render: ${error.message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`,
      );
      return 2;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = main(process.argv.slice(2));
