import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { Static, TObject, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { baseProductionRules, type ProductionRule, productionProblems } from './production-rules';
import { redactSecrets } from './redact';

/** Thrown by `parseConfig` with every problem; its message is one line (`loadConfig` prints one line per problem instead). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** The nearest `.env_local` walking up from `start`, so a service started from its own folder finds the project's. */
export function findEnvFile(start = process.cwd(), name = '.env_local'): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function readEnvFile(path: string | undefined): Record<string, string> {
  if (!path) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

/** Values of these never reach a log line, even when they are wrong. */
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|KEY|CONNECTION_STRING|JWKS/i;

export function isSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A short human phrase for what a variable must be, from its schema. */
function describeExpected(schema: TSchema): string {
  const options = (schema as { anyOf?: { const?: unknown }[] }).anyOf?.map((member) => member.const);
  if (options?.every((option) => option !== undefined)) return `must be one of ${options.join(', ')}`;
  const { type, pattern, minLength, minimum } = schema as {
    type?: string;
    pattern?: string;
    minLength?: number;
    minimum?: number;
  };
  if (type === 'integer' || type === 'number')
    return `must be ${type === 'integer' ? 'an integer' : 'a number'}${minimum !== undefined ? ` ≥ ${minimum}` : ''}`;
  if (pattern) return `must match ${pattern}`;
  if (minLength) return `must be at least ${minLength} characters`;
  return `must be a valid ${type ?? 'value'}`;
}

/** What `env` gives for `schema`: the values that passed (defaults applied) and a line per bad variable. */
function readConfig(
  schema: TObject,
  env: Record<string, string | undefined>,
): { values: Record<string, unknown>; problems: string[] } {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const candidate = Value.Convert(schema, Value.Default(schema, input)) as Record<string, unknown>;
  if (Value.Check(schema, candidate)) return { values: candidate, problems: [] };

  // Checked one variable at a time: every bad one is named, not just the first few errors.
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, property] of Object.entries(schema.properties) as [string, TSchema][]) {
    const value = candidate[key];
    if (value === undefined) {
      if (schema.required?.includes(key)) problems.push(`${key} is missing`);
    } else if (!Value.Check(property, value)) {
      // Names that say "secret" hide the whole value; any other value hides the secrets inside it.
      const shown = isSecret(key) ? 'a hidden value' : redactSecrets(JSON.stringify(input[key]));
      problems.push(`${key} ${describeExpected(property)} (got ${shown})`);
    } else values[key] = value;
  }
  return { values, problems };
}

/**
 * Validates `env` against `schema`: applies defaults, converts numbers and booleans from text,
 * and reports every bad variable at once by name.
 */
export function parseConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined>,
): Static<T> {
  const { values, problems } = readConfig(schema, env);
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Static<T>;
}

export interface LoadConfigOptions {
  /** Defaults to the nearest `.env_local` above the working directory; `ENV_FILE` overrides it. Never read in production. */
  envFile?: string;
  env?: NodeJS.ProcessEnv;
  /** What this service refuses to run with in production, besides `baseProductionRules`. */
  productionRules?: readonly ProductionRule[];
}

/**
 * Every problem of the configuration, one line each. Production (`NODE_ENV=production` in the real
 * environment) reads no env file, since one left on a server would bring dev values with it, and
 * runs the production rules.
 */
export function checkConfig(
  schema: TObject,
  options: LoadConfigOptions = {},
): { values: Record<string, unknown>; problems: string[]; file?: string } {
  const env = options.env ?? process.env;
  const production = env.NODE_ENV === 'production';
  const file = production ? undefined : (options.envFile ?? env.ENV_FILE ?? findEnvFile());
  const { values, problems } = readConfig(schema, { ...readEnvFile(file), ...env });
  const lines = problems.map((problem) => `Invalid configuration: ${problem}`);
  if (values.NODE_ENV === 'production') {
    if (!production)
      lines.push(`Refused in production: NODE_ENV=production comes from ${file}; set it in the environment`);
    const rules = [...baseProductionRules, ...(options.productionRules ?? [])];
    lines.push(...productionProblems(values, rules).map((problem) => `Refused in production: ${problem}`));
  }
  return { values, problems: lines, ...(file && { file }) };
}

/**
 * Reads `.env_local` (not in production), lets the real environment win over it, validates, runs the
 * production rules, and on any problem prints one line per problem and exits with code 1: a service
 * must never start half-configured, nor with development values in production.
 */
export function loadConfig<T extends TObject>(schema: T, options: LoadConfigOptions = {}): Static<T> {
  const { values, problems, file } = checkConfig(schema, options);
  if (problems.length === 0) return values as Static<T>;
  const source = file ? ` (read ${file} and the environment)` : '';
  process.stderr.write(problems.map((problem) => `${problem}${source}\n`).join(''));
  process.exit(1);
}
